// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/findings.h"

namespace sipdiag {

IssueClass issue_class(IssueKind k) {
    switch (k) {
        case IssueKind::bad_session_expires:
        case IssueKind::bad_min_se:
        case IssueKind::bad_q:
        case IssueKind::bad_expires:
        case IssueKind::bad_contact:
        case IssueKind::bad_etag:
        case IssueKind::bad_min_expires:
        case IssueKind::bad_retry_after:
            return IssueClass::bad_value;
        case IssueKind::contacts_truncated:
        case IssueKind::value_truncated:
            return IssueClass::truncated;
        default:
            return IssueClass::missing_header;
    }
}

ExpertKind issue_expert(IssueKind k) {
    switch (issue_class(k)) {
        case IssueClass::bad_value:
            return ExpertKind::bad_value;
        case IssueClass::truncated:
            return ExpertKind::truncated;
        default:
            return ExpertKind::missing_header;
    }
}

const char *issue_name(IssueKind k) {
    switch (k) {
        case IssueKind::missing_contact:
            return "Contact missing";
        case IssueKind::missing_min_se:
            return "Min-SE missing";
        case IssueKind::missing_call_id:
            return "Call-ID missing";
        case IssueKind::missing_cseq:
            return "CSeq missing or invalid";
        case IssueKind::bad_session_expires:
            return "Session-Expires unparsable";
        case IssueKind::bad_min_se:
            return "Min-SE unparsable";
        case IssueKind::bad_q:
            return "Contact q unparsable";
        case IssueKind::bad_expires:
            return "Contact expires unparsable";
        case IssueKind::bad_contact:
            return "Contact unparsable";
        case IssueKind::bad_etag:
            return "Entity tag invalid";
        case IssueKind::contacts_truncated:
            return "Too many contacts";
        case IssueKind::value_truncated:
            return "Value too long";
        case IssueKind::missing_min_expires:
        case IssueKind::bad_min_expires:
        case IssueKind::bad_retry_after:
            return nullptr;  // the detail names the header
    }
    return nullptr;
}

const char *outcome_name(Outcome o) {
    switch (o) {
        case Outcome::not_applicable:
            return "not applicable";
        case Outcome::pending:
            return "pending";
        case Outcome::followed_ok:
            return "followed ok";
        case Outcome::wrong_fix:
            return "wrong fix";
        case Outcome::not_followed:
            return "not followed";
        case Outcome::request_missing:
            return "request missing";
    }
    return "unknown";
}

}  // namespace sipdiag
