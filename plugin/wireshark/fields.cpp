// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/fields.h"

#include <array>

namespace sipdiag::ws {

int proto_sipdiag = -1;

int hf_sipdiag_code = -1;
int hf_sipdiag_summary = -1;
int hf_sipdiag_reason = -1;
int hf_sipdiag_class = -1;
int hf_sipdiag_meaning = -1;
int hf_sipdiag_when = -1;
int hf_sipdiag_fix = -1;
int hf_sipdiag_rfc = -1;
int hf_sipdiag_note = -1;
int hf_sipdiag_request_frame = -1;
int hf_sipdiag_request_method = -1;
int hf_sipdiag_client_agent = -1;
int hf_sipdiag_server_agent = -1;
int hf_sipdiag_response_time = -1;
int hf_sipdiag_retransmission = -1;
int hf_sipdiag_original_frame = -1;
int hf_sipdiag_copy_kind = -1;
int hf_sipdiag_copy_of = -1;
int hf_sipdiag_problem = -1;
int hf_sipdiag_compare_code = -1;
int hf_sipdiag_compare_hint = -1;
int hf_sipdiag_redirect_contact = -1;
int hf_sipdiag_redirect_q = -1;
int hf_sipdiag_redirect_expires = -1;
int hf_sipdiag_redirect_target = -1;
int hf_sipdiag_redirect_highest_q = -1;
int hf_sipdiag_redirect_original_uri = -1;
int hf_sipdiag_redirect_later_frame = -1;
int hf_sipdiag_redirect_original_kept = -1;
int hf_sipdiag_publish_entity = -1;
int hf_sipdiag_publish_event = -1;
int hf_sipdiag_publish_if_match = -1;
int hf_sipdiag_publish_last_etag = -1;
int hf_sipdiag_publish_last_etag_frame = -1;
int hf_sipdiag_publish_new_etag = -1;
int hf_sipdiag_timer_session_expires = -1;
int hf_sipdiag_timer_min_se = -1;
int hf_sipdiag_timer_retry_session_expires = -1;
int hf_sipdiag_auth_scheme = -1;
int hf_sipdiag_auth_realm = -1;
int hf_sipdiag_auth_algorithm = -1;
int hf_sipdiag_auth_qop = -1;
int hf_sipdiag_auth_stale = -1;
int hf_sipdiag_auth_retry_has_credentials = -1;
int hf_sipdiag_auth_request_has_credentials = -1;
int hf_sipdiag_options_unsupported = -1;
int hf_sipdiag_options_required = -1;
int hf_sipdiag_options_request_require = -1;
int hf_sipdiag_media_accept = -1;
int hf_sipdiag_media_accept_encoding = -1;
int hf_sipdiag_media_accept_language = -1;
int hf_sipdiag_media_request_content_type = -1;
int hf_sipdiag_warning_code = -1;
int hf_sipdiag_warning_agent = -1;
int hf_sipdiag_warning_text = -1;
int hf_sipdiag_event_requested = -1;
int hf_sipdiag_event_allowed = -1;
int hf_sipdiag_retry_after = -1;
int hf_sipdiag_interval_expires = -1;
int hf_sipdiag_interval_min_expires = -1;
int hf_sipdiag_interval_retry_expires = -1;
int hf_sipdiag_security_mechanism = -1;
int hf_sipdiag_glare_rule = -1;
int hf_sipdiag_followup_frame = -1;
int hf_sipdiag_followup_ok = -1;
int hf_sipdiag_followup_response_frame = -1;
int hf_sipdiag_followup_response_code = -1;
int hf_sipdiag_outcome = -1;
int hf_sipdiag_call_summary = -1;
int hf_sipdiag_retry_of = -1;
int hf_sipdiag_retry_of_code = -1;
int hf_sipdiag_retry_ok = -1;
int hf_sipdiag_response_frame = -1;
int hf_sipdiag_response_code = -1;
int hf_sipdiag_site_hint = -1;

int ett_sipdiag = -1;
int ett_sipdiag_compare = -1;
int ett_sipdiag_redirect = -1;
int ett_sipdiag_contact = -1;
int ett_sipdiag_publish = -1;
int ett_sipdiag_timer = -1;
int ett_sipdiag_followup = -1;
int ett_sipdiag_topic = -1;
int ett_sipdiag_text = -1;

expert_field ei_sipdiag_redirect = EI_INIT;
expert_field ei_sipdiag_conditional_failed = EI_INIT;
expert_field ei_sipdiag_interval_too_small = EI_INIT;
expert_field ei_sipdiag_no_request = EI_INIT;
expert_field ei_sipdiag_missing_header = EI_INIT;
expert_field ei_sipdiag_bad_value = EI_INIT;
expert_field ei_sipdiag_truncated = EI_INIT;
expert_field ei_sipdiag_redirect_not_followed = EI_INIT;
expert_field ei_sipdiag_redirect_off_contact = EI_INIT;
expert_field ei_sipdiag_redirect_contact_stored = EI_INIT;
expert_field ei_sipdiag_redirect_loop = EI_INIT;
expert_field ei_sipdiag_redirect_expired_contact = EI_INIT;
expert_field ei_sipdiag_timer_not_followed = EI_INIT;
expert_field ei_sipdiag_etag_not_recovered = EI_INIT;
expert_field ei_sipdiag_if_match_repeated = EI_INIT;
expert_field ei_sipdiag_retry_still_too_small = EI_INIT;
expert_field ei_sipdiag_retry_missing_min_se = EI_INIT;
expert_field ei_sipdiag_retry_without_credentials = EI_INIT;
expert_field ei_sipdiag_retry_still_too_brief = EI_INIT;
expert_field ei_sipdiag_followup_applied = EI_INIT;
expert_field ei_sipdiag_challenge = EI_INIT;
expert_field ei_sipdiag_challenge_answered = EI_INIT;
expert_field ei_sipdiag_credentials_rejected = EI_INIT;
expert_field ei_sipdiag_interval_too_brief = EI_INIT;
expert_field ei_sipdiag_bad_extension = EI_INIT;
expert_field ei_sipdiag_extension_required = EI_INIT;
expert_field ei_sipdiag_unsupported_media = EI_INIT;
expert_field ei_sipdiag_not_acceptable = EI_INIT;
expert_field ei_sipdiag_bad_event = EI_INIT;
expert_field ei_sipdiag_glare = EI_INIT;
expert_field ei_sipdiag_security_agreement = EI_INIT;
expert_field ei_sipdiag_server_error = EI_INIT;
expert_field ei_sipdiag_overload_no_retry_after = EI_INIT;
expert_field ei_sipdiag_retry_after_given = EI_INIT;
expert_field ei_sipdiag_failure_chat = EI_INIT;
expert_field ei_sipdiag_failure_note = EI_INIT;
expert_field ei_sipdiag_failure_warn = EI_INIT;
expert_field ei_sipdiag_failure_error = EI_INIT;
expert_field ei_sipdiag_not_analysed = EI_INIT;
expert_field ei_sipdiag_internal_error = EI_INIT;

const value_string kOutcomeVals[] = {
    {static_cast<guint32>(Outcome::pending), "pending (needs the whole capture: use -2)"},
    {static_cast<guint32>(Outcome::followed_ok), "followed ok"},
    {static_cast<guint32>(Outcome::wrong_fix), "wrong fix"},
    {static_cast<guint32>(Outcome::not_followed), "not followed"},
    {static_cast<guint32>(Outcome::request_missing), "request missing"},
    {0, nullptr},
};

namespace {

// Names of sipdiag.copy.kind (Record::copy_kind()).
const value_string kCopyKindVals[] = {
    {1, "duplicate on the same leg (the capture saw the packet twice)"},
    {2, "copy at another capture point (other addresses or ports)"},
    {0, nullptr},
};

const value_string kClassVals[] = {
    {1, "Provisional"},    {2, "Successful"},     {3, "Redirection"}, {4, "Client Failure"},
    {5, "Server Failure"}, {6, "Global Failure"}, {0, nullptr},
};

// One row per expert info, in registration order: the core's kind and what Wireshark shows.
struct ExpertRow {
    ExpertKind kind;  // ExpertKind::none: not a core finding
    ei_register_info info;
};

ExpertRow kExperts[] = {
    {ExpertKind::redirect,
     {&ei_sipdiag_redirect,
      {"sipdiag.redirect", PI_RESPONSE_CODE, PI_NOTE,
       "302 Moved Temporarily: retry at a Contact URI, keep the original URI for later requests",
       EXPFILL}}},
    {ExpertKind::conditional_failed,
     {&ei_sipdiag_conditional_failed,
      {"sipdiag.conditional_failed", PI_RESPONSE_CODE, PI_WARN,
       "412 Conditional Request Failed: the SIP-If-Match entity tag is not known to the server",
       EXPFILL}}},
    {ExpertKind::interval_too_small,
     {&ei_sipdiag_interval_too_small,
      {"sipdiag.interval_too_small", PI_RESPONSE_CODE, PI_WARN,
       "422 Session Interval Too Small: Session-Expires is below the server's Min-SE", EXPFILL}}},
    {ExpertKind::no_request,
     {&ei_sipdiag_no_request,
      {"sipdiag.no_request", PI_SEQUENCE, PI_NOTE,
       "The request this response answers is not in the capture", EXPFILL}}},
    {ExpertKind::missing_header,
     {&ei_sipdiag_missing_header,
      {"sipdiag.missing_header", PI_PROTOCOL, PI_WARN,
       "A header the RFC requires for this response is missing", EXPFILL}}},
    {ExpertKind::bad_value,
     {&ei_sipdiag_bad_value,
      {"sipdiag.bad_value", PI_MALFORMED, PI_ERROR, "A header value sipdiag needs does not parse",
       EXPFILL}}},
    {ExpertKind::truncated,
     {&ei_sipdiag_truncated,
      {"sipdiag.truncated", PI_PROTOCOL, PI_NOTE,
       "Value too long or list too large: only the first part is analysed", EXPFILL}}},
    {ExpertKind::redirect_not_followed,
     {&ei_sipdiag_redirect_not_followed,
      {"sipdiag.redirect_not_followed", PI_SEQUENCE, PI_WARN,
       "The client did not retry after the 302", EXPFILL}}},
    {ExpertKind::redirect_off_contact,
     {&ei_sipdiag_redirect_off_contact,
      {"sipdiag.redirect_off_contact", PI_SEQUENCE, PI_WARN,
       "The client retried at a URI that is not a Contact of the 302", EXPFILL}}},
    {ExpertKind::redirect_contact_stored,
     {&ei_sipdiag_redirect_contact_stored,
      {"sipdiag.redirect_contact_stored", PI_SEQUENCE, PI_WARN,
       "A later call went to the 302's temporary Contact instead of the original URI", EXPFILL}}},
    {ExpertKind::etag_not_recovered,
     {&ei_sipdiag_etag_not_recovered,
      {"sipdiag.etag_not_recovered", PI_SEQUENCE, PI_WARN,
       "The publisher did not recover from the 412 with a fresh PUBLISH", EXPFILL}}},
    {ExpertKind::if_match_repeated,
     {&ei_sipdiag_if_match_repeated,
      {"sipdiag.if_match_repeated", PI_SEQUENCE, PI_WARN,
       "The retry after the 412 sent a SIP-If-Match again instead of a fresh PUBLISH", EXPFILL}}},
    {ExpertKind::retry_still_too_small,
     {&ei_sipdiag_retry_still_too_small,
      {"sipdiag.retry_still_too_small", PI_SEQUENCE, PI_ERROR,
       "The retry after the 422 still asks for a session interval below Min-SE", EXPFILL}}},
    {ExpertKind::retry_missing_min_se,
     {&ei_sipdiag_retry_missing_min_se,
      {"sipdiag.retry_missing_min_se", PI_SEQUENCE, PI_WARN,
       "The retry after the 422 has a large enough interval but no Min-SE header", EXPFILL}}},
    {ExpertKind::redirect_loop,
     {&ei_sipdiag_redirect_loop,
      {"sipdiag.redirect_loop", PI_SEQUENCE, PI_WARN,
       "The 302 sends the client back to the URI it redirected: a redirect loop", EXPFILL}}},
    {ExpertKind::redirect_expired_contact,
     {&ei_sipdiag_redirect_expired_contact,
      {"sipdiag.redirect_expired_contact", PI_SEQUENCE, PI_WARN,
       "The client retried at a Contact the 302 gave with expires=0 (withdrawn)", EXPFILL}}},
    {ExpertKind::timer_not_followed,
     {&ei_sipdiag_timer_not_followed,
      {"sipdiag.timer_not_followed", PI_SEQUENCE, PI_WARN,
       "The client did not retry after the 422 (no session timer support, or it gave up)",
       EXPFILL}}},
    {ExpertKind::retry_without_credentials,
     {&ei_sipdiag_retry_without_credentials,
      {"sipdiag.retry_without_credentials", PI_SEQUENCE, PI_WARN,
       "The retry after the 401/407 carries no credentials", EXPFILL}}},
    {ExpertKind::retry_still_too_brief,
     {&ei_sipdiag_retry_still_too_brief,
      {"sipdiag.retry_still_too_brief", PI_SEQUENCE, PI_WARN,
       "The retry after the 423 still asks for an interval below Min-Expires", EXPFILL}}},
    {ExpertKind::followup_applied,
     {&ei_sipdiag_followup_applied,
      {"sipdiag.followup_applied", PI_SEQUENCE, PI_CHAT,
       "The client's next attempt applied the fix", EXPFILL}}},
    {ExpertKind::challenge,
     {&ei_sipdiag_challenge,
      {"sipdiag.challenge", PI_RESPONSE_CODE, PI_NOTE,
       "Authentication challenge: resend the request with credentials", EXPFILL}}},
    {ExpertKind::challenge_answered,
     {&ei_sipdiag_challenge_answered,
      {"sipdiag.challenge_answered", PI_RESPONSE_CODE, PI_CHAT,
       "Authentication challenge answered by the client's next request", EXPFILL}}},
    {ExpertKind::credentials_rejected,
     {&ei_sipdiag_credentials_rejected,
      {"sipdiag.credentials_rejected", PI_SEQUENCE, PI_WARN,
       "The request with credentials was challenged again: wrong password, realm or "
       "algorithm",
       EXPFILL}}},
    {ExpertKind::interval_too_brief,
     {&ei_sipdiag_interval_too_brief,
      {"sipdiag.interval_too_brief", PI_RESPONSE_CODE, PI_WARN,
       "423 Interval Too Brief: Expires is below the server's Min-Expires", EXPFILL}}},
    {ExpertKind::bad_extension,
     {&ei_sipdiag_bad_extension,
      {"sipdiag.bad_extension", PI_RESPONSE_CODE, PI_WARN,
       "420 Bad Extension: the server does not support an option tag the request required",
       EXPFILL}}},
    {ExpertKind::extension_required,
     {&ei_sipdiag_extension_required,
      {"sipdiag.extension_required", PI_RESPONSE_CODE, PI_WARN,
       "421 Extension Required: the server needs an extension the request did not offer",
       EXPFILL}}},
    {ExpertKind::unsupported_media,
     {&ei_sipdiag_unsupported_media,
      {"sipdiag.unsupported_media", PI_RESPONSE_CODE, PI_WARN,
       "415 Unsupported Media Type: the body type or encoding is not accepted", EXPFILL}}},
    {ExpertKind::not_acceptable,
     {&ei_sipdiag_not_acceptable,
      {"sipdiag.not_acceptable", PI_RESPONSE_CODE, PI_WARN,
       "Session description not acceptable: see the Warning codes", EXPFILL}}},
    {ExpertKind::bad_event,
     {&ei_sipdiag_bad_event,
      {"sipdiag.bad_event", PI_RESPONSE_CODE, PI_WARN,
       "489 Bad Event: the event package is not supported", EXPFILL}}},
    {ExpertKind::glare,
     {&ei_sipdiag_glare,
      {"sipdiag.glare", PI_RESPONSE_CODE, PI_NOTE,
       "491 Request Pending: both sides sent a re-INVITE or UPDATE at once", EXPFILL}}},
    {ExpertKind::security_agreement,
     {&ei_sipdiag_security_agreement,
      {"sipdiag.security_agreement", PI_RESPONSE_CODE, PI_NOTE,
       "494 Security Agreement Required: pick a mechanism from Security-Server", EXPFILL}}},
    {ExpertKind::server_error,
     {&ei_sipdiag_server_error,
      {"sipdiag.server_error", PI_RESPONSE_CODE, PI_ERROR,
       "500 Server Internal Error: the server failed on this request", EXPFILL}}},
    {ExpertKind::overload_no_retry_after,
     {&ei_sipdiag_overload_no_retry_after,
      {"sipdiag.overload_no_retry_after", PI_RESPONSE_CODE, PI_WARN,
       "503 Service Unavailable without Retry-After: clients may retry at once elsewhere",
       EXPFILL}}},
    {ExpertKind::retry_after_given,
     {&ei_sipdiag_retry_after_given,
      {"sipdiag.retry_after_given", PI_RESPONSE_CODE, PI_NOTE,
       "The response says when to retry (Retry-After)", EXPFILL}}},
    {ExpertKind::failure_chat,
     {&ei_sipdiag_failure_chat,
      {"sipdiag.failure.chat", PI_RESPONSE_CODE, PI_CHAT,
       "SIP response that is part of normal operation", EXPFILL}}},
    {ExpertKind::failure_note,
     {&ei_sipdiag_failure_note,
      {"sipdiag.failure.note", PI_RESPONSE_CODE, PI_NOTE,
       "SIP response worth knowing about (redirection or the callee's choice)", EXPFILL}}},
    {ExpertKind::failure_warn,
     {&ei_sipdiag_failure_warn,
      {"sipdiag.failure.warn", PI_RESPONSE_CODE, PI_WARN,
       "SIP request failed: see the diagnosis for the cause and the fix", EXPFILL}}},
    {ExpertKind::failure_error,
     {&ei_sipdiag_failure_error,
      {"sipdiag.failure.error", PI_RESPONSE_CODE, PI_ERROR,
       "SIP server failure: see the diagnosis for the cause and the fix", EXPFILL}}},
    {ExpertKind::none,
     {&ei_sipdiag_not_analysed,
      {"sipdiag.not_analysed", PI_UNDECODED, PI_WARN,
       "SIP message not analysed: reached the SIP dissector by a path the plugin does not observe",
       EXPFILL}}},
    {ExpertKind::none,
     {&ei_sipdiag_internal_error,
      {"sipdiag.internal_error", PI_UNDECODED, PI_WARN,
       "sipdiag could not analyse this frame (out of memory)", EXPFILL}}},
};

std::array<expert_field *, static_cast<std::size_t>(ExpertKind::count_)> g_expert_by_kind{};

}  // namespace

expert_field *expert_for(ExpertKind kind) {
    return g_expert_by_kind[static_cast<std::size_t>(kind)];
}

bool is_expert_field(int hf) {
    for (const ExpertRow &row : kExperts) {
        if (row.info.ids != nullptr && row.info.ids->hf == hf) return true;
    }
    return false;
}

void register_fields() {
    static hf_register_info hf[] = {
        {&hf_sipdiag_code,
         {"Status code", "sipdiag.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "SIP response status code that was diagnosed", HFILL}},
        {&hf_sipdiag_summary,
         {"Summary", "sipdiag.summary", FT_STRING, BASE_NONE, nullptr, 0x0,
          "One-line diagnosis of this response: the values of this capture and what the client "
          "did about it (follows sipdiag.language)",
          HFILL}},
        {&hf_sipdiag_reason,
         {"Standard reason phrase", "sipdiag.reason", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Reason phrase registered with IANA for this code (the server may send another text)",
          HFILL}},
        {&hf_sipdiag_class,
         {"Class", "sipdiag.class", FT_UINT8, BASE_DEC, VALS(kClassVals), 0x0,
          "Response class: 1 Provisional, 2 Successful, 3 Redirection, 4 Client Failure, "
          "5 Server Failure, 6 Global Failure",
          HFILL}},
        {&hf_sipdiag_meaning,
         {"Meaning", "sipdiag.meaning", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What this response code means", HFILL}},
        {&hf_sipdiag_when,
         {"When you see it", "sipdiag.when", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Typical situations that produce this response", HFILL}},
        {&hf_sipdiag_fix,
         {"How to fix", "sipdiag.fix", FT_STRING, BASE_NONE, nullptr, 0x0,
          "What the client or the operator should do about this response", HFILL}},
        {&hf_sipdiag_rfc,
         {"Defined in", "sipdiag.rfc", FT_STRING, BASE_NONE, nullptr, 0x0,
          "RFC and section that define this response code", HFILL}},
        {&hf_sipdiag_note,
         {"Note", "sipdiag.note", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Remark on the code itself, e.g. that it is not in the IANA registry", HFILL}},
        {&hf_sipdiag_request_frame,
         {"Request in frame", "sipdiag.request_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "First frame of the request this response answers (same Call-ID, CSeq and top Via "
          "branch), on the response's own leg when it was captured there; absent when the "
          "request is not in the capture",
          HFILL}},
        {&hf_sipdiag_request_method,
         {"Request method", "sipdiag.request_method", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Method of the request this response answers, from the CSeq header", HFILL}},
        {&hf_sipdiag_client_agent,
         {"Client software", "sipdiag.client.agent", FT_STRING, BASE_NONE, nullptr, 0x0,
          "User-Agent of the request this diagnosed response answers: which software sent it",
          HFILL}},
        {&hf_sipdiag_server_agent,
         {"Server software", "sipdiag.server.agent", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Server header of this diagnosed response: which software answered", HFILL}},
        {&hf_sipdiag_response_time,
         {"Response time", "sipdiag.response_time", FT_RELATIVE_TIME, BASE_NONE, nullptr, 0x0,
          "Time from the first copy of the request (on this response's leg when captured there) "
          "to this response",
          HFILL}},
        {&hf_sipdiag_retransmission,
         {"Retransmission", "sipdiag.retransmission", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "True when the sender sent this message again: it repeats an earlier one of the same "
          "transaction on the same leg (same endpoints and transport), more than 10 ms later or "
          "with other bytes. Capture duplicates and copies at other capture points are not "
          "retransmissions: see sipdiag.copy.kind",
          HFILL}},
        {&hf_sipdiag_original_frame,
         {"Original in frame", "sipdiag.original_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0,
          "First copy of this retransmitted message on the same leg", HFILL}},
        {&hf_sipdiag_copy_kind,
         {"Repeated sighting", "sipdiag.copy.kind", FT_UINT8, BASE_DEC, VALS(kCopyKindVals), 0x0,
          "This message was already seen and is no retransmission: 1 the same packet captured "
          "twice on the same leg (same bytes within 10 ms), 2 the same message seen at another "
          "capture point (other addresses or ports). It gets no diagnosis, verdict or count of "
          "its own: see sipdiag.copy.of",
          HFILL}},
        {&hf_sipdiag_copy_of,
         {"Repeats frame", "sipdiag.copy.of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0,
          "The sighting this one repeats: the previous one on the same leg for a duplicate, the "
          "first one anywhere for a copy at another capture point",
          HFILL}},
        {&hf_sipdiag_problem,
         {"Problem", "sipdiag.problem", FT_STRING, BASE_NONE, nullptr, 0x0,
          "A missing, malformed or out-of-bounds value found while diagnosing this message",
          HFILL}},
        {&hf_sipdiag_compare_code,
         {"Compared with code", "sipdiag.compare.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "A response code that is often confused with this one", HFILL}},
        {&hf_sipdiag_compare_hint,
         {"Comparison hint", "sipdiag.compare.hint", FT_STRING, BASE_NONE, nullptr, 0x0,
          "How this code differs from the compared code and what to do instead", HFILL}},
        {&hf_sipdiag_redirect_contact,
         {"Contact", "sipdiag.redirect.contact", FT_STRING, BASE_NONE, nullptr, 0x0,
          "A Contact URI of the redirect, in header order (one item per contact, also when "
          "several share a header line)",
          HFILL}},
        {&hf_sipdiag_redirect_q,
         {"q", "sipdiag.redirect.q", FT_DOUBLE, BASE_NONE, nullptr, 0x0,
          "Preference of this contact (0 to 1; a missing q counts as 1)", HFILL}},
        {&hf_sipdiag_redirect_expires,
         {"expires", "sipdiag.redirect.expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Seconds this contact stays valid (expires parameter)", HFILL}},
        {&hf_sipdiag_redirect_target,
         {"Retried URI", "sipdiag.redirect.target", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the client's retry after the redirect", HFILL}},
        {&hf_sipdiag_redirect_highest_q,
         {"Chose the highest q", "sipdiag.redirect.highest_q", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the retried contact had the highest q of the redirect", HFILL}},
        {&hf_sipdiag_redirect_original_uri,
         {"Original URI", "sipdiag.redirect.original_uri", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the redirected request: the address to keep using for later requests",
          HFILL}},
        {&hf_sipdiag_redirect_later_frame,
         {"Later call in frame", "sipdiag.redirect.later_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "First later INVITE of the same client (another call) to the original URI or a Contact",
          HFILL}},
        {&hf_sipdiag_redirect_original_kept,
         {"Later call kept the original URI", "sipdiag.redirect.original_kept", FT_BOOLEAN,
          BASE_NONE, nullptr, 0x0,
          "False when a later call went straight to the 302's temporary Contact, as if it were a "
          "301",
          HFILL}},
        {&hf_sipdiag_publish_entity,
         {"Entity", "sipdiag.publish.entity", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Request-URI of the PUBLISH: the resource whose event state is published", HFILL}},
        {&hf_sipdiag_publish_event,
         {"Event package", "sipdiag.publish.event", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event package of the publication (Event header)", HFILL}},
        {&hf_sipdiag_publish_if_match,
         {"SIP-If-Match that failed", "sipdiag.publish.if_match", FT_STRING, BASE_NONE, nullptr,
          0x0, "Entity tag the PUBLISH asked to refresh or modify", HFILL}},
        {&hf_sipdiag_publish_last_etag,
         {"Last SIP-ETag issued", "sipdiag.publish.last_etag", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Last entity tag the server issued for this entity before the 412, if captured", HFILL}},
        {&hf_sipdiag_publish_last_etag_frame,
         {"Last SIP-ETag in frame", "sipdiag.publish.last_etag_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "Frame of the 2xx that issued the last entity tag", HFILL}},
        {&hf_sipdiag_publish_new_etag,
         {"New SIP-ETag", "sipdiag.publish.new_etag", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Entity tag issued to the recovering PUBLISH", HFILL}},
        {&hf_sipdiag_timer_session_expires,
         {"Session-Expires asked for", "sipdiag.timer.session_expires", FT_UINT32, BASE_DEC,
          nullptr, 0x0, "Session interval in seconds the request asked for (Session-Expires or x)",
          HFILL}},
        {&hf_sipdiag_timer_min_se,
         {"Min-SE demanded", "sipdiag.timer.min_se", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Smallest session interval in seconds the server accepts (Min-SE of the 422)", HFILL}},
        {&hf_sipdiag_timer_retry_session_expires,
         {"Retry Session-Expires", "sipdiag.timer.retry_session_expires", FT_UINT32, BASE_DEC,
          nullptr, 0x0, "Session interval in seconds the client's retry asked for", HFILL}},
        {&hf_sipdiag_site_hint,
         {"Site hint", "sipdiag.site_hint", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Site-specific advice for this code, from the Site hints table in the preferences",
          HFILL}},
        {&hf_sipdiag_auth_scheme,
         {"Scheme", "sipdiag.auth.scheme", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Authentication scheme of the challenge (Digest)", HFILL}},
        {&hf_sipdiag_auth_realm,
         {"Realm", "sipdiag.auth.realm", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Protection realm the credentials must be computed for", HFILL}},
        {&hf_sipdiag_auth_algorithm,
         {"Algorithm", "sipdiag.auth.algorithm", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Digest algorithm the server asks for (MD5 when absent; RFC 8760 adds SHA-256)", HFILL}},
        {&hf_sipdiag_auth_qop,
         {"qop", "sipdiag.auth.qop", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Quality of protection options offered by the challenge", HFILL}},
        {&hf_sipdiag_auth_stale,
         {"Stale nonce", "sipdiag.auth.stale", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "True when the credentials were right but the nonce expired: retry with the new nonce",
          HFILL}},
        {&hf_sipdiag_auth_request_has_credentials,
         {"Challenged request carried credentials", "sipdiag.auth.request_has_credentials",
          FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the request this challenge answers already had Authorization or "
          "Proxy-Authorization: if so (and the nonce is not stale) its credentials were refused",
          HFILL}},
        {&hf_sipdiag_auth_retry_has_credentials,
         {"Retry carried credentials", "sipdiag.auth.retry_has_credentials", FT_BOOLEAN, BASE_NONE,
          nullptr, 0x0,
          "Whether the client's next attempt answered the challenge with Authorization or "
          "Proxy-Authorization",
          HFILL}},
        {&hf_sipdiag_options_unsupported,
         {"Unsupported option tag", "sipdiag.options.unsupported", FT_STRING, BASE_NONE, nullptr,
          0x0, "Extension the request required that the server does not support (420)", HFILL}},
        {&hf_sipdiag_options_required,
         {"Required option tag", "sipdiag.options.required", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Extension the server requires the client to support (421)", HFILL}},
        {&hf_sipdiag_options_request_require,
         {"Request required", "sipdiag.options.request_require", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Option tags the request listed in Require/Proxy-Require", HFILL}},
        {&hf_sipdiag_media_accept,
         {"Accept", "sipdiag.media.accept", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Body types the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_accept_encoding,
         {"Accept-Encoding", "sipdiag.media.accept_encoding", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Content encodings the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_accept_language,
         {"Accept-Language", "sipdiag.media.accept_language", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Languages the server accepts (415)", HFILL}},
        {&hf_sipdiag_media_request_content_type,
         {"Request Content-Type", "sipdiag.media.request_content_type", FT_STRING, BASE_NONE,
          nullptr, 0x0, "Body type the rejected request carried", HFILL}},
        {&hf_sipdiag_warning_code,
         {"Warning code", "sipdiag.warning.code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Warning header code (RFC 3261 20.43: 3xx media/session problems, e.g. 305 incompatible "
          "media format)",
          HFILL}},
        {&hf_sipdiag_warning_agent,
         {"Warning agent", "sipdiag.warning.agent", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Host that added the Warning", HFILL}},
        {&hf_sipdiag_warning_text,
         {"Warning text", "sipdiag.warning.text", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Free text of the Warning", HFILL}},
        {&hf_sipdiag_event_requested,
         {"Event requested", "sipdiag.event.requested", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event package the SUBSCRIBE or PUBLISH asked for (489)", HFILL}},
        {&hf_sipdiag_event_allowed,
         {"Allow-Events", "sipdiag.event.allowed", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Event packages the server supports (489)", HFILL}},
        {&hf_sipdiag_retry_after,
         {"Retry after (s)", "sipdiag.retry_after", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Seconds the server asks the client to wait before retrying (Retry-After)", HFILL}},
        {&hf_sipdiag_interval_expires,
         {"Expires asked for", "sipdiag.interval.expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Registration or subscription interval the request asked for (423)", HFILL}},
        {&hf_sipdiag_interval_min_expires,
         {"Min-Expires demanded", "sipdiag.interval.min_expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Shortest interval the server accepts (Min-Expires of the 423)", HFILL}},
        {&hf_sipdiag_interval_retry_expires,
         {"Retry Expires", "sipdiag.interval.retry_expires", FT_UINT32, BASE_DEC, nullptr, 0x0,
          "Interval the client's retry after the 423 asked for", HFILL}},
        {&hf_sipdiag_security_mechanism,
         {"Security mechanism", "sipdiag.security.mechanism", FT_STRING, BASE_NONE, nullptr, 0x0,
          "Mechanism offered in Security-Server (494, RFC 3329)", HFILL}},
        {&hf_sipdiag_glare_rule,
         {"Retry rule", "sipdiag.glare.rule", FT_STRING, BASE_NONE, nullptr, 0x0,
          "When to retry after 491 Request Pending (RFC 3261 14.1)", HFILL}},
        {&hf_sipdiag_followup_frame,
         {"Follow-up request in frame", "sipdiag.followup_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The client's next attempt after this response",
          HFILL}},
        {&hf_sipdiag_followup_ok,
         {"Follow-up applied the fix", "sipdiag.followup_ok", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether the client's next attempt did what this response asks for", HFILL}},
        {&hf_sipdiag_followup_response_frame,
         {"Follow-up response in frame", "sipdiag.followup_response_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Final response to the client's next attempt",
          HFILL}},
        {&hf_sipdiag_followup_response_code,
         {"Follow-up response code", "sipdiag.followup_response_code", FT_UINT16, BASE_DEC, nullptr,
          0x0, "Status code of the final response to the client's next attempt", HFILL}},
        {&hf_sipdiag_outcome,
         {"Outcome", "sipdiag.outcome", FT_UINT8, BASE_DEC, VALS(kOutcomeVals), 0x0,
          "What the client did about this response, judged over the whole capture", HFILL}},
        {&hf_sipdiag_call_summary,
         {"Call summary", "sipdiag.call.summary", FT_STRING, BASE_NONE, nullptr, 0x0,
          "The 302/412/422 responses this Call-ID met, in order, with their outcomes", HFILL}},
        {&hf_sipdiag_retry_of,
         {"Reacts to response in frame", "sipdiag.retry_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "The 302/412/422 this request is the client's retry for", HFILL}},
        {&hf_sipdiag_retry_of_code,
         {"Reacts to status code", "sipdiag.retry_of_code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Status code of the response this request retries after", HFILL}},
        {&hf_sipdiag_retry_ok,
         {"Retry applies the fix", "sipdiag.retry_ok", FT_BOOLEAN, BASE_NONE, nullptr, 0x0,
          "Whether this retry does what the response it reacts to asks for (a Contact of the 302, "
          "a fresh PUBLISH after the 412, Session-Expires of at least Min-SE with Min-SE after "
          "the 422, credentials after the 401/407, Expires of at least Min-Expires after the "
          "423), judged from the request alone: also in a single pass and live",
          HFILL}},
        {&hf_sipdiag_response_frame,
         {"Final response in frame", "sipdiag.response_frame", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Final response to this request", HFILL}},
        {&hf_sipdiag_response_code,
         {"Final response code", "sipdiag.response_code", FT_UINT16, BASE_DEC, nullptr, 0x0,
          "Status code of the final response to this request", HFILL}},
    };
    static int *ett[] = {&ett_sipdiag,          &ett_sipdiag_compare, &ett_sipdiag_redirect,
                         &ett_sipdiag_contact,  &ett_sipdiag_publish, &ett_sipdiag_timer,
                         &ett_sipdiag_followup, &ett_sipdiag_topic,   &ett_sipdiag_text};
    static ei_register_info ei[G_N_ELEMENTS(kExperts)];
    for (std::size_t i = 0; i < G_N_ELEMENTS(kExperts); ++i) {
        ei[i] = kExperts[i].info;
        if (kExperts[i].kind != ExpertKind::none) {
            g_expert_by_kind[static_cast<std::size_t>(kExperts[i].kind)] = kExperts[i].info.ids;
        }
    }

    proto_sipdiag = proto_register_protocol("SIP Response Diagnostics", "SIPDIAG", "sipdiag");
    proto_register_field_array(proto_sipdiag, hf, G_N_ELEMENTS(hf));
    proto_register_subtree_array(ett, G_N_ELEMENTS(ett));
    expert_module_t *em = expert_register_protocol(proto_sipdiag);
    expert_register_field_array(em, ei, G_N_ELEMENTS(ei));
}

}  // namespace sipdiag::ws
