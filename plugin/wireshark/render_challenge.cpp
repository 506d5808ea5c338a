// SPDX-License-Identifier: GPL-2.0-or-later
// 401/407: the challenge and whether credentials were sent (core/rules/challenge.h).
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

namespace sipdiag::ws {

void render_challenge(const RenderCtx &c) {
    const ChallengeDetail *cd = c.corr.detail<ChallengeRule>(c.d);
    if (cd == nullptr) return;
    const char *header[] = {c.r.code == 401 ? "WWW-Authenticate" : "Proxy-Authenticate"};
    proto_tree *sub = proto_tree_add_subtree(c.tree, c.tvb, 0, 0, ett_sipdiag_topic, nullptr,
                                             fmt(c.pinfo, kb::Label::challenge, header));
    for (const AuthChallenge &ch : cd->challenges) {
        add_gen_string(sub, hf_sipdiag_auth_scheme, c.tvb, ch.scheme);
        if (!ch.realm.empty()) add_gen_string(sub, hf_sipdiag_auth_realm, c.tvb, ch.realm);
        add_gen_string(sub, hf_sipdiag_auth_algorithm, c.tvb,
                       ch.algorithm.empty() ? "MD5 (default)" : ch.algorithm.c_str());
        if (!ch.qop.empty()) add_gen_string(sub, hf_sipdiag_auth_qop, c.tvb, ch.qop);
        add_gen_bool(sub, hf_sipdiag_auth_stale, c.tvb, ch.stale);
    }
    if (c.r.request_frame != 0) {
        add_gen_bool(sub, hf_sipdiag_auth_request_has_credentials, c.tvb,
                     cd->request_had_credentials);
    }
    if (c.d.followup_frame != 0) {
        add_gen_bool(sub, hf_sipdiag_auth_retry_has_credentials, c.tvb, cd->retry_has_credentials);
    }
    render_retry_after(c);
}

}  // namespace sipdiag::ws
