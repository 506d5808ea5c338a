// SPDX-License-Identifier: GPL-2.0-or-later
// The registered ids: fields (hf_sipdiag_<group>_<field> for sipdiag.<group>.<field>), subtrees and
// expert infos (ei_sipdiag_<condition> for sipdiag.<condition>), and the table that maps the
// core's expert kinds to them. Registration in fields.cpp.
#pragma once

#include "wireshark/ws_compat.h"

#include "core/findings.h"

namespace sipdiag::ws {

extern int proto_sipdiag;
extern const value_string kOutcomeVals[];  // names of sipdiag.outcome

extern int hf_sipdiag_code;
extern int hf_sipdiag_summary;
extern int hf_sipdiag_reason;
extern int hf_sipdiag_class;
extern int hf_sipdiag_meaning;
extern int hf_sipdiag_when;
extern int hf_sipdiag_fix;
extern int hf_sipdiag_rfc;
extern int hf_sipdiag_note;
extern int hf_sipdiag_request_frame;
extern int hf_sipdiag_request_method;
extern int hf_sipdiag_client_agent;
extern int hf_sipdiag_server_agent;
extern int hf_sipdiag_response_time;
extern int hf_sipdiag_retransmission;
extern int hf_sipdiag_original_frame;
extern int hf_sipdiag_copy_kind;
extern int hf_sipdiag_copy_of;
extern int hf_sipdiag_problem;
extern int hf_sipdiag_compare_code;
extern int hf_sipdiag_compare_hint;
extern int hf_sipdiag_redirect_contact;
extern int hf_sipdiag_redirect_q;
extern int hf_sipdiag_redirect_expires;
extern int hf_sipdiag_redirect_target;
extern int hf_sipdiag_redirect_highest_q;
extern int hf_sipdiag_redirect_original_uri;
extern int hf_sipdiag_redirect_later_frame;
extern int hf_sipdiag_redirect_original_kept;
extern int hf_sipdiag_publish_entity;
extern int hf_sipdiag_publish_event;
extern int hf_sipdiag_publish_if_match;
extern int hf_sipdiag_publish_last_etag;
extern int hf_sipdiag_publish_last_etag_frame;
extern int hf_sipdiag_publish_new_etag;
extern int hf_sipdiag_timer_session_expires;
extern int hf_sipdiag_timer_min_se;
extern int hf_sipdiag_timer_retry_session_expires;
extern int hf_sipdiag_auth_scheme;
extern int hf_sipdiag_auth_realm;
extern int hf_sipdiag_auth_algorithm;
extern int hf_sipdiag_auth_qop;
extern int hf_sipdiag_auth_stale;
extern int hf_sipdiag_auth_retry_has_credentials;
extern int hf_sipdiag_auth_request_has_credentials;
extern int hf_sipdiag_options_unsupported;
extern int hf_sipdiag_options_required;
extern int hf_sipdiag_options_request_require;
extern int hf_sipdiag_media_accept;
extern int hf_sipdiag_media_accept_encoding;
extern int hf_sipdiag_media_accept_language;
extern int hf_sipdiag_media_request_content_type;
extern int hf_sipdiag_warning_code;
extern int hf_sipdiag_warning_agent;
extern int hf_sipdiag_warning_text;
extern int hf_sipdiag_event_requested;
extern int hf_sipdiag_event_allowed;
extern int hf_sipdiag_retry_after;
extern int hf_sipdiag_interval_expires;
extern int hf_sipdiag_interval_min_expires;
extern int hf_sipdiag_interval_retry_expires;
extern int hf_sipdiag_security_mechanism;
extern int hf_sipdiag_glare_rule;
extern int hf_sipdiag_followup_frame;
extern int hf_sipdiag_followup_ok;
extern int hf_sipdiag_followup_response_frame;
extern int hf_sipdiag_followup_response_code;
extern int hf_sipdiag_outcome;
extern int hf_sipdiag_call_summary;
extern int hf_sipdiag_retry_of;
extern int hf_sipdiag_retry_of_code;
extern int hf_sipdiag_retry_ok;
extern int hf_sipdiag_response_frame;
extern int hf_sipdiag_response_code;
extern int hf_sipdiag_site_hint;

extern int ett_sipdiag;
extern int ett_sipdiag_compare;
extern int ett_sipdiag_redirect;
extern int ett_sipdiag_contact;
extern int ett_sipdiag_publish;
extern int ett_sipdiag_timer;
extern int ett_sipdiag_followup;
extern int ett_sipdiag_topic;
extern int ett_sipdiag_text;

extern expert_field ei_sipdiag_not_analysed;    // SIP reached by a path the hook does not see
extern expert_field ei_sipdiag_internal_error;  // not a core finding: out of memory

// The expert info registered for a kind the core decided; null for ExpertKind::none.
expert_field *expert_for(ExpertKind kind);
// True for the field of one of sipdiag's expert infos (sipdiag.<condition>).
bool is_expert_field(int hf);

// Registers the protocol, its fields, subtrees and expert infos.
void register_fields();

}  // namespace sipdiag::ws
