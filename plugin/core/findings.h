// SPDX-License-Identifier: GPL-2.0-or-later
// What the core decides, as types: the problems found in a message, the outcome of a follow-up,
// and which expert info each finding deserves. The Wireshark layer maps these enums to its
// hf/ei registrations through tables and decides nothing itself.
#pragma once

#include <cstdint>
#include <string>

namespace sipdiag {

enum class IssueKind : std::uint8_t {
    // A header the RFC requires is absent
    missing_contact,      // 302 without Contact (RFC 3261 21.3.3)
    missing_min_se,       // 422 without Min-SE (RFC 4028 6: MUST)
    missing_call_id,      // message without Call-ID or CSeq: cannot be correlated
    missing_cseq,         //
    missing_min_expires,  // 423 without Min-Expires (RFC 3261 21.4.17)
    // A value that does not parse
    bad_session_expires,
    bad_min_se,
    bad_q,
    bad_expires,
    bad_contact,
    bad_etag,
    bad_min_expires,
    bad_retry_after,
    // Bounded work
    contacts_truncated,
    value_truncated,
};

// Which expert info a problem gets (see issue_class()).
enum class IssueClass : std::uint8_t { missing_header, bad_value, truncated };
IssueClass issue_class(IssueKind k);
// Stable short text shown before the detail ("Min-SE missing"), or nullptr for the kinds whose
// detail is the whole text (the header evidence of 423 and Retry-After).
const char *issue_name(IssueKind k);

struct Issue {
    IssueKind kind;
    std::string detail;  // human-readable detail; may contain packet text (never a format string)
};

// Outcome of the follow-up analysis of a response whose fix is a retry by the same client.
enum class Outcome : std::uint8_t {
    not_applicable = 0,
    pending,         // capture not fully read yet (single pass), or still inside the window
    followed_ok,     // the client retried and applied the fix
    wrong_fix,       // the client retried but did not apply the fix
    not_followed,    // no retry within the follow-up window
    request_missing  // the request is not in the capture, so the client is unknown
};
const char *outcome_name(Outcome o);  // "followed ok", "wrong fix", ...

// Every expert info the core can ask for. One row per kind in the Wireshark layer's table.
enum class ExpertKind : std::uint8_t {
    none,
    // On the response itself
    redirect,                 // 302
    conditional_failed,       // 412
    interval_too_small,       // 422
    challenge,                // 401/407 nobody answered (yet)
    challenge_answered,       // 401/407 answered with credentials
    credentials_rejected,     // 401/407: credentials refused
    interval_too_brief,       // 423
    bad_extension,            // 420
    extension_required,       // 421
    unsupported_media,        // 415
    not_acceptable,           // 488/606
    bad_event,                // 489
    glare,                    // 491
    security_agreement,       // 494
    server_error,             // 500
    overload_no_retry_after,  // 503 without Retry-After
    retry_after_given,        // Retry-After present
    failure_chat,             // other codes, by meaning
    failure_note,
    failure_warn,
    failure_error,
    no_request,  // the request is not in the capture
    // On the follow-up verdict
    followup_applied,
    redirect_not_followed,
    redirect_off_contact,
    redirect_contact_stored,
    redirect_loop,             // the 302's Contact is the URI just redirected, and was retried
    redirect_expired_contact,  // the retry went to a Contact the 302 gave with expires=0
    timer_not_followed,        // no retry after a 422
    etag_not_recovered,
    if_match_repeated,
    retry_still_too_small,
    retry_missing_min_se,
    retry_without_credentials,  // the retry after a 401/407 carries no credentials
    retry_still_too_brief,      // the retry after a 423 still asks for less than Min-Expires
    // On a problem (see IssueClass)
    missing_header,
    bad_value,
    truncated,
    count_
};

ExpertKind issue_expert(IssueKind k);

// The verdict on a diagnosed response, as the rule of its code decides it.
struct Verdict {
    Outcome outcome = Outcome::not_applicable;
    bool decided = false;  // the follow-up's `ok` is known (a follow-up exists and is judged)
    bool ok = false;       // the follow-up applied the fix
    ExpertKind expert = ExpertKind::none;  // expert info of the verdict, if any
};

}  // namespace sipdiag
