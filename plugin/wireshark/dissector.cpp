// SPDX-License-Identifier: GPL-2.0-or-later
// The post-dissector: per-capture state, the entry point Wireshark calls for every frame, and the
// registration that ties the parts together. On the first pass it reads each SIP message of the
// frame (extract.h) into the core correlator; on every pass it renders what the core stored.
//
// Exceptions: Wireshark reports errors with longjmp (THROW); the render code keeps no C++ object
// with a destructor alive across a Wireshark call (render.h). C++ exceptions (bad_alloc) are
// caught here and never reach Wireshark.
#include "wireshark/sipdiag.h"

#include "wireshark/extract.h"
#include "wireshark/flow.h"
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"
#include "wireshark/stats.h"

#include "core/correlator.h"

#include <memory>
#include <new>
#include <vector>

namespace sipdiag::ws {

namespace {

// Per-capture state: created by the init routine, dropped by the cleanup routine.
std::unique_ptr<Correlator> g_corr;
// The copies of the current frame's SIP messages, kept between frames so that their strings keep
// their buffers (one frame's worth of text at most); released with the capture.
std::vector<SipMessage> g_frame_msgs;
// Wireshark's expert tap: when someone listens (Analyze › Expert Information, tshark -z expert)
// on a pass without a tree, the expert infos are still added (to no item).
int g_expert_tap = -1;

void init_routine() {
    Config c;
    c.followup_window_ns = static_cast<TimeNs>(pref_followup_window) * 1000000000;
    g_corr.reset(new (std::nothrow) Correlator(c));
}

void cleanup_routine() {
    g_corr.reset();
    std::vector<SipMessage>().swap(g_frame_msgs);
    release_reader_buffers();
}

// First pass: read every SIP message of the frame and feed the correlator. C++ only.
bool analyse_frame(proto_tree *tree, packet_info *pinfo, MessagePos *pos,
                   std::size_t *npos) noexcept {
    try {
        std::vector<SipMessage> &msgs = g_frame_msgs;  // dissection runs in one thread
        const std::size_t n = extract_messages(tree, pinfo, pos, &msgs);
        *npos = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (!msgs[i].is_request && msgs[i].status == 0) continue;  // not parsed as SIP
            msgs[i].index = static_cast<std::uint8_t>(i);
            g_corr->add(msgs[i]);
        }
        return true;
    } catch (...) {
        return false;
    }
}

int dissect_sipdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *) {
    if (!g_corr) return 0;
    const Correlator &corr = *g_corr;
    MessagePos pos[kMaxMessagesPerFrame];
    std::size_t npos = 0;
    if (tree == nullptr) {
        // No tree to read or render (e.g. the second pass of tshark -2 -q -z, the GUI's Expert
        // Information dialog without a filter): the taps, and the expert infos when the expert
        // tap listens (the render code adds nothing else to a null tree).
        // Regression: tshark -2 -q -z expert and the unfiltered Expert Information dialog showed
        // no sipdiag expert info at all.
        if (PINFO_FD_VISITED(pinfo)) {
            if (g_expert_tap < 0) g_expert_tap = find_tap_id("expert");  // registered late
            const bool experts = g_expert_tap >= 0 && have_tap_listener(g_expert_tap);
            static const MessagePos kNoPos{};
            const auto [recs, count] = corr.frame_records(pinfo->num);
            for (std::size_t i = 0; i < count; ++i) {
                if (experts && recs[i].is_request()) {
                    render_request(nullptr, pinfo, tvb, kNoPos, corr, recs[i]);
                } else if (experts) {
                    render_response(nullptr, pinfo, tvb, kNoPos, corr, recs[i]);
                }
                queue_tap(pinfo, corr, recs[i]);
            }
        }
        return 0;
    }
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!analyse_frame(tree, pinfo, pos, &npos)) {
            proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, tvb, 0, 0, ENC_NA);
            set_protocol_summary(ti, nullptr);
            expert_add_info(pinfo, ti, &ei_sipdiag_internal_error);
            return 0;
        }
    } else {
        npos = extract_messages(tree, pinfo, pos, nullptr);
    }
    const auto [recs, count] = corr.frame_records(pinfo->num);
    if (recs == nullptr || count == 0) return 0;
    for (std::size_t i = 0; i < count; ++i) {
        static const MessagePos kNoPos{};
        const MessagePos &mp = recs[i].index < npos ? pos[recs[i].index] : kNoPos;
        if (recs[i].is_request()) {
            render_request(tree, pinfo, tvb, mp, corr, recs[i]);
        } else {
            render_response(tree, pinfo, tvb, mp, corr, recs[i]);
        }
        queue_tap(pinfo, corr, recs[i]);
    }
    return static_cast<int>(tvb_captured_length(tvb));
}

}  // namespace

void register_protocol() {
    register_fields();
    register_prefs();
    register_init_routine(init_routine);
    register_cleanup_routine(cleanup_routine);
    register_stats();
    flow::register_flow(proto_sipdiag);  // -z flow,sipdiag and Statistics › Flow Graph
}

void register_handoff() {
    resolve_sip_fields();
    dissector_handle_t h = create_dissector_handle(dissect_sipdiag, proto_sipdiag);
    register_postdissector(h);
    set_postdissector_wanted_hfids(h, wanted_sip_fields());
}

}  // namespace sipdiag::ws
