// SPDX-License-Identifier: GPL-2.0-or-later
// The post-dissector: per-capture state, the entry point Wireshark calls for every frame, and the
// registration that ties the parts together. On the first pass it reads each SIP message of the
// frame (extract.h) into the core correlator; on every pass it renders what the core stored.
//
// Exceptions: Wireshark reports errors with longjmp (THROW); the render code keeps no C++ object
// with a destructor alive across a Wireshark call (render.h). C++ exceptions (bad_alloc) are
// caught here and never reach Wireshark.
#include "wireshark/sipdiag.h"

#include <epan/exceptions.h>

#include "wireshark/extract.h"
#include "wireshark/flow.h"
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"
#include "wireshark/sip_hook.h"
#include "wireshark/stats.h"
#include "wireshark/tshark_cmdline.h"

#include "core/correlator.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace sipdiag::ws {

namespace {

// Per-capture state: created by the init routine, dropped by the cleanup routine.
std::unique_ptr<Correlator> g_corr;
// The current frame's SIP messages (views into its bytes, extract.h), kept between frames so that
// their vectors keep their capacity; released with the capture.
std::vector<MessageView> g_frame_msgs;
// Wireshark's expert tap: when someone listens (Analyze › Expert Information, tshark -z expert)
// on a pass without a tree, the expert infos are still added (to no item).
int g_expert_tap = -1;
// The post-dissector's handle, for its wanted fields (set per capture by the init routine).
dissector_handle_t g_handle = nullptr;
// Frames where SIP was dissected by a path the SIP hook does not observe and the tree had no
// `sip` item either (first pass, ascending): they get the expert info sipdiag.not_analysed on
// every pass.
std::vector<guint32> g_not_analysed;

void init_routine() {
    Config c;
    c.followup_window_ns = static_cast<TimeNs>(pref_followup_window) * 1000000000;
    g_corr.reset(new (std::nothrow) Correlator(c));
    hook::clear_frame();
    hook::counters = hook::Counters{};
    // With the SIP hook on, no tree is wanted: the trampolines say where the messages are. Off
    // (the preference, or a Wireshark whose handle layout did not check out), the `sip` items are
    // asked for, so every frame gets a tree. Runs before tshark and Wireshark decide, per pass,
    // whether to build trees (they ask postdissectors_want_hfids() after opening the file).
    if (g_handle != nullptr) {
        set_postdissector_wanted_hfids(g_handle, hook::enabled() ? nullptr : wanted_sip_fields());
    }
}

void cleanup_routine() {
    hook::debug_report();
    g_corr.reset();
    std::vector<MessageView>().swap(g_frame_msgs);
    std::vector<guint32>().swap(g_not_analysed);
    release_reader_buffers();
    hook::clear_frame();
}

bool not_analysed(guint32 frame) {
    return std::binary_search(g_not_analysed.begin(), g_not_analysed.end(), frame);
}

void mark_not_analysed(guint32 frame) noexcept {
    try {
        if (g_not_analysed.empty() || g_not_analysed.back() < frame) {
            g_not_analysed.push_back(frame);
        }
    } catch (...) {
    }
}

// First pass: read every SIP message of the frame and feed the correlator. C++ only.
bool analyse_frame(proto_tree *tree, packet_info *pinfo, MessagePos *pos, std::size_t *npos,
                   Source *source) noexcept {
    try {
        std::vector<MessageView> &msgs = g_frame_msgs;  // dissection runs in one thread
        const std::size_t n = extract_messages(tree, pinfo, pos, &msgs, source);
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

// SIP reached by a path the hook does not observe (sip_hook.h): said, not lost silently.
void add_not_analysed(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb) {
    proto_item *ti =
        tree != nullptr ? proto_tree_add_item(tree, proto_sipdiag, tvb, 0, 0, ENC_NA) : nullptr;
    if (ti != nullptr) set_protocol_summary(ti, nullptr);
    expert_add_info(pinfo, ti, &ei_sipdiag_not_analysed);
}

// First pass, hook on: where the frame's messages came from, for the debug counters and the
// not-analysed check (SIP among the frame's layers, but neither a trampoline nor a `sip` item
// saw it).
void account(packet_info *pinfo, Source source) {
    switch (source) {
        case Source::tree:
            ++hook::counters.from_tree;
            break;
        case Source::hook:
            ++hook::counters.from_hook;
            break;
        case Source::unseen:
            if (proto_is_frame_protocol(pinfo->layers, "sip")) {
                ++hook::counters.not_analysed;
                mark_not_analysed(pinfo->num);
            }
            break;
        case Source::none:
            break;
    }
}

// tshark -2 with nothing but the display filter reading its first pass (tshark_cmdline.h,
// first_pass_unseen, read at registration). The filter's result on that pass only marks the
// frames a matching frame depends on (tshark prints or writes them on the second pass): a frame
// that depends on none needs no render there; its second pass renders it from the stored results.
bool g_first_pass_unseen = false;

bool unseen_first_pass(const packet_info *pinfo) {
    if (!g_first_pass_unseen || PINFO_FD_VISITED(pinfo) || sipdiag_has_dependent_frames(pinfo))
        return false;
    ++hook::counters.first_pass_unseen;
    return true;
}

int dissect_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree) {
    if (!g_corr) {
        hook::clear_frame();
        return 0;
    }
    if (hook::enabled() && hook::nothing_visible(pinfo, tree)) {
        // Plain tshark: nothing of sipdiag can be seen in this pass, so nothing is done.
        ++hook::counters.skipped;
        hook::clear_frame();
        return 0;
    }
    const Correlator &corr = *g_corr;
    // Not a local array: 64 positions zeroed per frame cost more than finding them. Dissection
    // runs in one thread and the post-dissector does not call itself.
    static MessagePos pos[kMaxMessagesPerFrame];
    std::size_t npos = 0;
    bool analysed_now = false;
    if (tree == nullptr && !PINFO_FD_VISITED(pinfo) && hook::enabled()) {
        // A pass without a tree that something will see (tshark -2's first pass, the GUI's
        // first pass, taps): the hook's records are the only source. Then as below.
        Source source = Source::none;
        const bool ok = analyse_frame(nullptr, pinfo, pos, &npos, &source);
        hook::clear_frame();
        if (ok) account(pinfo, source);
        analysed_now = true;
    }
    if (tree == nullptr) {
        // No tree to read or render (e.g. the second pass of tshark -2 -q -z, the GUI's Expert
        // Information dialog without a filter): the taps, and the expert infos when the expert
        // tap listens (the render code adds nothing else to a null tree).
        // Regression: tshark -2 -q -z expert and the unfiltered Expert Information dialog showed
        // no sipdiag expert info at all.
        if (PINFO_FD_VISITED(pinfo) || analysed_now) {
            if (g_expert_tap < 0) g_expert_tap = find_tap_id("expert");  // registered late
            const bool experts = g_expert_tap >= 0 && have_tap_listener(g_expert_tap);
            static const MessagePos kNoPos{};
            if (experts && not_analysed(pinfo->num)) add_not_analysed(nullptr, pinfo, tvb);
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
    // A tree that hides sipdiag (a display filter naming nothing of it, tshark -2 -Y sip): the
    // first pass still analyses (a later pass may show the results), nothing is rendered.
    const bool render = !hook::nothing_to_render(pinfo, tree);
    if (!PINFO_FD_VISITED(pinfo)) {
        Source source = Source::none;
        const bool ok = analyse_frame(tree, pinfo, pos, &npos, &source);
        hook::clear_frame();
        if (!render || unseen_first_pass(pinfo)) {
            if (ok) account(pinfo, source);
            return 0;
        }
        if (!ok) {
            proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, tvb, 0, 0, ENC_NA);
            set_protocol_summary(ti, nullptr);
            expert_add_info(pinfo, ti, &ei_sipdiag_internal_error);
            return 0;
        }
        account(pinfo, source);
    } else if (!render) {
        return 0;
    } else {
        npos = extract_messages(tree, pinfo, pos, nullptr);  // where the protocol items go
        hook::clear_frame();
    }
    if (not_analysed(pinfo->num)) add_not_analysed(tree, pinfo, tvb);
    const auto [recs, count] = corr.frame_records(pinfo->num);
    if (recs == nullptr || count == 0) return 0;
    // tshark -Y sipdiag: the protocol items decide, nothing under them is seen.
    const bool item_only = hook::item_only(pinfo, tree);
    if (item_only) ++hook::counters.item_only;
    for (std::size_t i = 0; i < count; ++i) {
        static const MessagePos kNoPos{};
        const MessagePos &mp = recs[i].index < npos ? pos[recs[i].index] : kNoPos;
        if (recs[i].is_request()) {
            render_request(tree, pinfo, tvb, mp, corr, recs[i], item_only);
        } else {
            render_response(tree, pinfo, tvb, mp, corr, recs[i], item_only);
        }
        queue_tap(pinfo, corr, recs[i]);
    }
    return static_cast<int>(tvb_captured_length(tvb));
}

// tshark -T fields on Wireshark 4.0 (tshark_cmdline.h): the tree is visible, yet only the -e
// fields are printed. The render then sees it as hidden, as 4.2 and later make it: Wireshark
// builds only the items a filter or an -e names (the others are "faked") and the render formats
// no label. 4.0 does not mark the -e fields as referenced (its visible tree did not need it):
// those of sipdiag and of expert infos are marked here, as tshark 4.2+ does it itself. The
// goldens' fields modes compare every field of every capture both ways.
struct FieldsOnly {
    bool on = false;
    std::vector<std::string> names;  // the -e fields
    bool resolved = false;
    // The -e fields sipdiag's render adds (its own, expert infos'), resolved at the first frame.
    std::vector<header_field_info *> named;
};
FieldsOnly g_fields_only;

// Read at registration: tshark rewrites some of its arguments in place later, when it parses
// them (-E header=y becomes "header" and "y"), and /proc/self/cmdline shows the rewritten ones.
void read_command_line() {
    g_fields_only = FieldsOnly{};
    g_first_pass_unseen = false;
    if (!hook::in_tshark()) return;
    try {
        const std::vector<std::string> own = own_arguments();
        const std::vector<std::string_view> args(own.begin(), own.end());
        g_first_pass_unseen =
            std::getenv("SIPDIAG_KEEP_FIRST_PASS") == nullptr && first_pass_unseen(args);
        std::vector<std::string_view> names;
        if (std::getenv("SIPDIAG_KEEP_FIELDS_TREE") != nullptr || !prints_fields_only(args, &names))
            return;
        g_fields_only.names.assign(names.begin(), names.end());
        g_fields_only.on = true;
    } catch (...) {
        g_fields_only = FieldsOnly{};
        g_first_pass_unseen = false;
    }
}

// The names are resolved at the first frame, not at handoff: resolved at handoff, the hidden tree
// lost fields in test_fields_only (why was not looked into).
const FieldsOnly &fields_only() {
    FieldsOnly &f = g_fields_only;
    if (!f.on || f.resolved) return f;
    f.resolved = true;
    const int expert = proto_get_id_by_filter_name("_ws.expert");
    for (const std::string &name : f.names) {
        header_field_info *h = proto_registrar_get_byname(name.c_str());
        if (h == nullptr) continue;
        if (h->parent == proto_sipdiag || (expert >= 0 && h->parent == expert)) {
            try {
                f.named.push_back(h);
            } catch (...) {
                f.on = false;  // without its marks the hidden tree would lose fields
                return f;
            }
        }
    }
    return f;
}

bool hide_for_fields(proto_tree *tree) {
    if (tree == nullptr || PTREE_DATA(tree) == nullptr || !PTREE_DATA(tree)->visible) return false;
    return hook::in_tshark() && fields_only().on;
}

int dissect_sipdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *) {
    if (!hide_for_fields(tree)) return dissect_frame(tvb, pinfo, tree);
    ++hook::counters.fields_only;
    // As epan_dissect_prime_with_hfid() marks a filter's fields (its proto_tree_prime_with_hfid
    // is not exported): the field directly, its protocol indirectly unless named itself.
    for (header_field_info *h : fields_only().named) {
        h->ref_type = HF_REF_TYPE_DIRECT;
        header_field_info *parent = h->parent >= 0 ? proto_registrar_get_nth(h->parent) : nullptr;
        if (parent != nullptr && parent->ref_type != HF_REF_TYPE_DIRECT)
            parent->ref_type = HF_REF_TYPE_INDIRECT;
    }
    tree_data_t *const td = PTREE_DATA(tree);
    td->visible = FALSE;
    volatile int ret = 0;
    // Shown again whatever happens: a Wireshark exception (longjmp) thrown by the render passes
    // through FINALLY, and the tree is reused for the next frame.
    TRY {
        ret = dissect_frame(tvb, pinfo, tree);
    }
    FINALLY {
        td->visible = TRUE;
    }
    ENDTRY;
    return ret;
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
    read_command_line();
    resolve_sip_fields();
    hook::install(proto_get_id_by_filter_name("sip"));
    dissector_handle_t h = create_dissector_handle(dissect_sipdiag, proto_sipdiag);
    register_postdissector(h);
    g_handle = h;
    // Until a capture is opened (init_routine decides per capture, once the preferences are
    // read): the default of the preference, the hook on when it is valid.
    set_postdissector_wanted_hfids(h, hook::installed() ? nullptr : wanted_sip_fields());
}

}  // namespace sipdiag::ws
