// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/sip_hook.h"

#include "wireshark/fields.h"
#include "wireshark/labels.h"

#include <epan/column-info.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <initializer_list>
#include <utility>

namespace sipdiag::ws::hook {

sipdiag_pref_bool pref_observe = TRUE;
Counters counters;

namespace {

bool g_installed = false;
bool g_debug = false;
// SIPDIAG_DEBUG_HOOK=blind: the trampolines record nothing, as if SIP were reached by a path the
// hook does not observe (tests of sipdiag.not_analysed).
bool g_blind = false;
const char *g_debug_reason = "not tried";
int g_proto_sip = -1;
protocol_t *g_sip_protocol = nullptr;

int g_tap_expert = -1;
int g_tap_stats = -1;
int g_tap_flow = -1;

// The frame's records. Dissection runs in one thread; a record belongs to the frame whose number
// it carries (cleared by the post-dissector after each frame).
struct FrameRecords {
    guint32 num = 0;
    bool valid = false;
    bool called = false;
    std::size_t n = 0;
    Region r[kMaxRegions];
};
FrameRecords g_rec;

FrameRecords &records_for(const packet_info *pinfo) {
    if (!g_rec.valid || g_rec.num != pinfo->num) {
        g_rec.valid = true;
        g_rec.num = pinfo->num;
        g_rec.called = false;
        g_rec.n = 0;
    }
    return g_rec;
}

// Up to four distinct original functions per kind (4.0 has dissect_sip and dissect_sip_tcp as
// handles, and three heuristics).
constexpr int kSlots = 4;
dissector_t g_orig[kSlots] = {};
int g_one_message_slot = -1;  // the slot of the `sip` handle's function (one message per call)
heur_dissector_t g_orig_heur[kSlots] = {};
// Per heuristic slot: 1 when every entry using it is on a datagram list (not "tcp"), where the
// SIP dissector reads one message per call; 0 otherwise; -1 unused.
int g_heur_one[kSlots] = {-1, -1, -1, -1};

// Whether the call is worth recording, and the sigcomp case: a message compressed with SigComp
// (first byte 11111xxx) is handed by the SIP dissector to SigComp, which hands the decompressed
// message back to the `sip` handle: that inner call is the one recorded.
// A later pass (tshark -2's second, the GUI's when a packet is shown) renders from the stored
// results; it records only for a visible tree, for the bytes of the protocol items shown there.
// Regression: without them, those passes gave every sipdiag item an empty range at offset 0 (in
// -T pdml/json, -V, and the GUI highlighted no bytes), where the first pass covered the message.
// Hidden trees (tshark -2 -Y ..., -T fields) leave them out: cutting TCP segments into messages
// again cost about 1,100 instructions per frame of the benchmark's -2 -Y sipdiag (10 % of the
// plugin), for what only a filter on the protocol's own bytes (len(sipdiag), sipdiag[0:4]) sees.
bool want(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree) {
    if (!enabled() || g_blind) return false;
    if (PINFO_FD_VISITED(pinfo) ? !label_visible(tree) || nothing_to_render(pinfo, tree)
                                : nothing_visible(pinfo, tree)) {
        return false;
    }
    if (tvb_captured_length(tvb) < 1) return false;
    const guint8 *first = tvb_get_ptr(tvb, 0, 1);  // captured: cannot throw
    return first != nullptr && (first[0] & 0xf8) != 0xf8;
}

// Opens a region before the original runs: if the original throws (a Wireshark exception is a
// longjmp: nothing after the call runs), the region stays open to the end of the buffer, which
// is what the `sip` item of a message the dissector threw on covers (it is added with length -1
// and only shortened at the end). Returns the region's index, or kMaxRegions.
std::size_t open_region(tvbuff_t *tvb, packet_info *pinfo) {
    FrameRecords &fr = records_for(pinfo);
    fr.called = true;
    if (fr.n >= kMaxRegions) return kMaxRegions;
    Region &r = fr.r[fr.n];
    r.ds_tvb = tvb_get_ds_tvb(tvb);
    r.start = static_cast<int>(tvb_raw_offset(tvb));
    r.length = static_cast<int>(tvb_captured_length(tvb));
    r.one_message = false;
    r.first_message_only = false;
    return fr.n++;
}

// After the original returned: `accepted` bytes from the start of its tvb hold complete
// messages (0: nothing, drop the region). Only the last region can be dropped: regions opened by
// nested calls come after it and were closed already.
void close_region(packet_info *pinfo, std::size_t idx, int accepted) {
    FrameRecords &fr = records_for(pinfo);
    if (idx >= fr.n) return;
    if (accepted <= 0) {
        if (idx + 1 == fr.n) {
            --fr.n;
        } else {
            fr.r[idx].length = 0;
        }
        return;
    }
    if (accepted < fr.r[idx].length) fr.r[idx].length = accepted;
}

// What the original accepted: when it asked TCP for more data (desegment_len set by this call),
// only the messages before desegment_offset are complete; otherwise its return value.
int accepted_bytes(packet_info *pinfo, int ret, guint32 deseg_len_before, int deseg_off_before) {
    const bool asked_more =
        pinfo->desegment_len != 0 &&
        (pinfo->desegment_len != deseg_len_before || pinfo->desegment_offset != deseg_off_before);
    if (asked_more) return pinfo->desegment_offset;
    return ret;
}

// The trampolines. No C++ object with a destructor lives here, nothing throws a C++ exception,
// and the only state left when the original throws is one open region (see open_region).
int run(int slot, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data) {
    const dissector_t orig = g_orig[slot];
    if (!want(tvb, pinfo, tree)) return orig(tvb, pinfo, tree, data);
    const guint32 dl = pinfo->desegment_len;
    const int doff = pinfo->desegment_offset;
    const std::size_t idx = open_region(tvb, pinfo);
    const int ret = orig(tvb, pinfo, tree, data);
    const int accepted = accepted_bytes(pinfo, ret, dl, doff);
    close_region(pinfo, idx, accepted);
    if (slot == g_one_message_slot && accepted == ret && ret > 0 && idx < g_rec.n &&
        g_rec.r[idx].length == ret) {
        g_rec.r[idx].one_message = true;
    }
    return ret;
}

// A heuristic's return type: gboolean in 4.0, bool from 4.4 on (taken from heur_dissector_t, so
// that the trampolines have the exact type on every line).
using HeurRet = decltype(std::declval<heur_dissector_t>()(nullptr, nullptr, nullptr, nullptr));

HeurRet run_heur(int slot, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data) {
    const heur_dissector_t orig = g_orig_heur[slot];
    if (!want(tvb, pinfo, tree)) return orig(tvb, pinfo, tree, data);
    const guint32 dl = pinfo->desegment_len;
    const int doff = pinfo->desegment_offset;
    const std::size_t idx = open_region(tvb, pinfo);
    const HeurRet ok = orig(tvb, pinfo, tree, data);
    const int all = static_cast<int>(tvb_captured_length(tvb));
    close_region(pinfo, idx, ok ? accepted_bytes(pinfo, all, dl, doff) : 0);
    if (ok && g_heur_one[slot] == 1 && idx < g_rec.n) g_rec.r[idx].first_message_only = true;
    return ok;
}

template <int N>
int tramp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data) {
    return run(N, tvb, pinfo, tree, data);
}
template <int N>
HeurRet tramp_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data) {
    return run_heur(N, tvb, pinfo, tree, data);
}
const dissector_t kTramp[kSlots] = {tramp<0>, tramp<1>, tramp<2>, tramp<3>};
const heur_dissector_t kTrampHeur[kSlots] = {tramp_heur<0>, tramp_heur<1>, tramp_heur<2>,
                                             tramp_heur<3>};

// Candidates found at handoff.
constexpr int kMaxHandles = 16;
constexpr int kMaxHeur = 16;
struct Found {
    dissector_handle_t handles[kMaxHandles];
    int nhandles = 0;
    heur_dtbl_entry_t *heur[kMaxHeur];
    bool heur_datagram[kMaxHeur];  // found in a list other than "tcp"
    int nheur = 0;
    bool overflow = false;
};

void add_handle(Found *f, dissector_handle_t h) {
    if (h == nullptr || dissector_handle_get_protocol_index(h) != g_proto_sip) return;
    for (int i = 0; i < f->nhandles; ++i) {
        if (f->handles[i] == h) return;
    }
    if (f->nhandles >= kMaxHandles) {
        f->overflow = true;
        return;
    }
    f->handles[f->nhandles++] = h;
}

void on_entry(const gchar *, ftenum_t, gpointer, gpointer value, gpointer ud) {
    auto *f = static_cast<Found *>(ud);
    auto *e = static_cast<dtbl_entry_t *>(value);
    add_handle(f, dtbl_entry_get_handle(e));
    add_handle(f, dtbl_entry_get_initial_handle(e));
}

void on_decode_as_handle(const gchar *, gpointer value, gpointer ud) {
    add_handle(static_cast<Found *>(ud), static_cast<dissector_handle_t>(value));
}

void on_table(const gchar *name, const gchar *, gpointer ud) {
    dissector_table_foreach(name, on_entry, ud);
    dissector_table_foreach_handle(name, on_decode_as_handle, ud);
}

void on_heur_entry(const gchar *list, heur_dtbl_entry_t *e, gpointer ud) {
    auto *f = static_cast<Found *>(ud);
    if (e == nullptr || e->protocol != g_sip_protocol) return;
    for (int i = 0; i < f->nheur; ++i) {
        if (f->heur[i] == e) return;
    }
    if (f->nheur >= kMaxHeur) {
        f->overflow = true;
        return;
    }
    f->heur_datagram[f->nheur] = list != nullptr && std::strcmp(list, "tcp") != 0;
    f->heur[f->nheur++] = e;
}

void on_heur_table(const char *name, heur_dissector_list *, gpointer ud) {
    heur_dissector_table_foreach(name, on_heur_entry, ud);
}

// Every mirrored field against what Wireshark's accessors say.
bool handle_valid(dissector_handle_t h) {
    const auto *m = reinterpret_cast<const sipdiag_dissector_handle_mirror *>(h);
    return m->name != nullptr && m->name == dissector_handle_get_dissector_name(h) &&
           m->description == dissector_handle_get_description(h) && m->protocol != nullptr &&
           m->protocol == g_sip_protocol &&
           m->protocol == find_protocol_by_id(dissector_handle_get_protocol_index(h)) &&
           m->dissector_type == SIPDIAG_DISSECTOR_TYPE_SIMPLE && m->dissector_func != nullptr &&
           m->dissector_data == nullptr;
}

// The slot of `fn` (existing or new), or -1 when all are taken.
template <typename Fn>
int slot_for(Fn *table, const Fn *tramps, Fn fn) {
    for (int i = 0; i < kSlots; ++i) {
        if (table[i] == fn) return i;
        if (tramps[i] == fn) return i;  // already a trampoline (handoff run twice)
    }
    for (int i = 0; i < kSlots; ++i) {
        if (table[i] == nullptr) {
            table[i] = fn;
            return i;
        }
    }
    return -1;
}

}  // namespace

bool installed() {
    return g_installed;
}

bool enabled() {
    return g_installed && pref_observe;
}

bool in_tshark() {
    static const bool is = [] {
        char path[4096];
        const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0) return false;
        path[n] = '\0';
        const char *base = std::strrchr(path, '/');
        base = base != nullptr ? base + 1 : path;
        return std::strcmp(base, "tshark") == 0;
    }();
    return is;
}

namespace {

// Looked up late (other protocols register after the plugin); -1 until found.
int g_proto_expert = -1;

// Neither the tree nor anything that reads it can show sipdiag: the tree is not shown (tshark
// without -V/-T, or a filter pass) and no filter, custom column, coloring rule or -e field names
// a field of sipdiag (its expert infos included: they are its fields) or an expert info field.
// (frame.protocols never lists a post-dissector: it is filled before they run.)
bool tree_hides_sipdiag(proto_tree *tree) {
    if (PTREE_DATA(tree) == nullptr || PTREE_DATA(tree)->visible) return false;
    if (proto_field_is_referenced(tree, proto_sipdiag)) return false;
    if (g_proto_expert < 0) g_proto_expert = proto_get_id_by_filter_name("_ws.expert");
    return g_proto_expert < 0 || !proto_field_is_referenced(tree, g_proto_expert);
}

// Something outside the tree sees this pass: a tap the plugin feeds, the expert tap, a tap that
// asked for the columns, or an Expert column (expert infos set it).
bool looked_at_from_outside(const packet_info *pinfo) {
    if ((union_of_tap_listener_flags() & TL_REQUIRES_COLUMNS) != 0) return true;
    // Tap ids: registered late by other parts; looked up until found.
    if (g_tap_expert < 0) g_tap_expert = find_tap_id("expert");
    if (g_tap_stats < 0) g_tap_stats = find_tap_id("sipdiag");
    if (g_tap_flow < 0) g_tap_flow = find_tap_id("sipdiag_flow");
    for (int t : {g_tap_expert, g_tap_stats, g_tap_flow}) {
        if (t >= 0 && have_tap_listener(t)) return true;
    }
    return pinfo->cinfo != nullptr && pinfo->cinfo->col_first != nullptr &&
           pinfo->cinfo->col_first[COL_EXPERT] >= 0;
}

// The same, once per pass in tshark: its taps and columns are set before a pass and stay for all
// of its frames (it was asked two or three times per frame). Wireshark opens and closes taps
// (dialogs) between dissections: asked every time there.
bool seen_outside_tree(const packet_info *pinfo) {
    if (!in_tshark()) return looked_at_from_outside(pinfo);
    static int pass = -1;
    static bool seen = true;
    const int now = PINFO_FD_VISITED(pinfo) ? 1 : 0;
    if (pass != now) {
        seen = looked_at_from_outside(pinfo);
        pass = now;
    }
    return seen;
}

}  // namespace

bool nothing_visible(const packet_info *pinfo, proto_tree *tree) {
    // Columns are there because tshark prints summary lines, not because a tap asked for them:
    // Wireshark's first pass has columns only for such taps (file.c: cinfo is set when the taps'
    // flags have TL_REQUIRES_COLUMNS), and its later passes show what this pass stores. tshark -2
    // has no columns on its first pass.
    if (PINFO_FD_VISITED(pinfo) || pinfo->cinfo == nullptr) return false;
    // With a tree (a display filter, tshark -Y sip): only tshark's single pass, where this is the
    // only time the frame is shown, and only when the tree hides sipdiag.
    if (tree != nullptr && (!in_tshark() || !tree_hides_sipdiag(tree))) return false;
    return !seen_outside_tree(pinfo);
}

namespace {

// What a tree of this kind shows in this tshark pass: whether it is visible, which fields the
// filters and columns name, which taps listen (Wireshark marks them before each dissection, the
// same for every frame of a tshark pass) and whether the pass has visited its frames. A question
// on those alone is asked once per pass and kind of tree: it was asked for every frame (twice
// per frame, about 90 instructions).
int tree_kind(const packet_info *pinfo, proto_tree *tree) {
    const tree_data_t *td = PTREE_DATA(tree);
    return (PINFO_FD_VISITED(pinfo) ? 1 : 0) | (td == nullptr ? 2 : td->visible ? 4 : 0);
}

template <typename F>
bool once_per_pass(int *key, bool *value, int kind, F &&ask) {
    if (*key != kind) {
        *value = ask();
        *key = kind;
    }
    return *value;
}

}  // namespace

bool nothing_to_render(const packet_info *pinfo, proto_tree *tree) {
    if (tree == nullptr) return false;
    const auto ask = [&] { return tree_hides_sipdiag(tree) && !seen_outside_tree(pinfo); };
    if (!in_tshark()) return ask();  // Wireshark changes filters and taps between dissections
    static int key = -1;
    static bool value = false;
    return once_per_pass(&key, &value, tree_kind(pinfo, tree), ask);
}

namespace {

// A filter of this dissection (display or read filter, a tap's filter, a custom column, a coloring
// rule, a -e field) names a field under sipdiag or an expert info field. Wireshark marks what they
// name in the fields' registration (header_field_info::ref_type) before each dissection; tshark
// marks the same fields for every frame of a pass, so they are read on the first frame of each
// pass. A mark left by the other pass (they are not all cleared) can only make this true, which
// renders the whole tree.
bool names_a_field(bool visited) {
    static int pass = -1;
    static bool named = true;
    if (pass == static_cast<int>(visited)) return named;
    pass = static_cast<int>(visited);
    named = false;
    if (g_proto_expert < 0) g_proto_expert = proto_get_id_by_filter_name("_ws.expert");
    for (int proto : {proto_sipdiag, g_proto_expert}) {
        if (proto < 0) continue;
        void *cookie = nullptr;
        for (header_field_info *h = proto_get_first_protocol_field(proto, &cookie);
             h != nullptr && !named; h = proto_get_next_protocol_field(proto, &cookie)) {
            named = h->ref_type != HF_REF_TYPE_NONE;
        }
    }
    if (g_proto_expert >= 0 && !named) {
        const header_field_info *e = proto_registrar_get_nth(g_proto_expert);
        named = e == nullptr || e->ref_type != HF_REF_TYPE_NONE;
    }
    return named;
}

}  // namespace

bool seen_from_outside(const packet_info *pinfo) {
    return seen_outside_tree(pinfo);
}

namespace {

bool ask_item_only(const packet_info *pinfo, proto_tree *tree) {
    const tree_data_t *td = PTREE_DATA(tree);
    if (td == nullptr || td->visible) return false;
    // Named itself (a field under it makes the protocol "indirectly" referenced only; -T fields
    // -e sipdiag of 4.2+ makes it "referenced for printing", which needs its label).
    const header_field_info *self = proto_registrar_get_nth(proto_sipdiag);
    if (self == nullptr || self->ref_type != HF_REF_TYPE_DIRECT) return false;
    if (names_a_field(PINFO_FD_VISITED(pinfo))) return false;
    return !seen_outside_tree(pinfo);
}

}  // namespace

bool item_only(const packet_info *pinfo, proto_tree *tree) {
    if (tree == nullptr || !in_tshark()) return false;
    static int key = -1;
    static bool value = false;
    return once_per_pass(&key, &value, tree_kind(pinfo, tree),
                         [&] { return ask_item_only(pinfo, tree); });
}

std::size_t frame_regions(const packet_info *pinfo, const Region **out, bool *called) {
    if (!g_rec.valid || g_rec.num != pinfo->num) {
        *out = nullptr;
        *called = false;
        return 0;
    }
    *out = g_rec.r;
    *called = g_rec.called;
    return g_rec.n;
}

void clear_frame() {
    g_rec.valid = false;
    g_rec.n = 0;
    g_rec.called = false;
}

void install(int proto_sip) {
    const char *debug = std::getenv("SIPDIAG_DEBUG_HOOK");
    g_debug = debug != nullptr;
    g_blind = debug != nullptr && std::strcmp(debug, "blind") == 0;
    if (g_installed) return;
    g_proto_sip = proto_sip;
    g_sip_protocol = proto_sip >= 0 ? find_protocol_by_id(proto_sip) : nullptr;
    if (g_sip_protocol == nullptr) {
        g_debug_reason = "no SIP protocol";
        return;
    }
    static Found f;  // large enough not to live on the stack; handoff runs once
    f = Found{};
    add_handle(&f, find_dissector("sip"));
    add_handle(&f, find_dissector("sip.tcp"));
    dissector_all_tables_foreach_table(on_table, &f, nullptr);
    dissector_all_heur_tables_foreach_table(on_heur_table, &f, nullptr);
    if (f.overflow || f.nhandles == 0) {
        g_debug_reason = f.overflow ? "too many SIP handles" : "no SIP handle";
        return;
    }
    // Check everything, and that the slots suffice, before changing anything.
    dissector_t orig[kSlots] = {};
    heur_dissector_t orig_heur[kSlots] = {};
    for (int i = 0; i < f.nhandles; ++i) {
        if (!handle_valid(f.handles[i])) {
            g_debug_reason = "dissector handle layout does not match (ws_compat.h)";
            return;
        }
        const auto *m = reinterpret_cast<const sipdiag_dissector_handle_mirror *>(f.handles[i]);
        if (slot_for(orig, kTramp, reinterpret_cast<dissector_t>(m->dissector_func)) < 0) {
            g_debug_reason = "too many SIP dissector functions";
            return;
        }
    }
    for (int i = 0; i < f.nheur; ++i) {
        if (f.heur[i]->dissector == nullptr ||
            slot_for(orig_heur, kTrampHeur, f.heur[i]->dissector) < 0) {
            g_debug_reason = "too many SIP heuristics";
            return;
        }
    }
    for (int i = 0; i < kSlots; ++i) {
        g_orig[i] = orig[i];
        g_orig_heur[i] = orig_heur[i];
    }
    dissector_handle_t sip = find_dissector("sip");
    for (int i = 0; i < f.nhandles; ++i) {
        auto *m = reinterpret_cast<sipdiag_dissector_handle_mirror *>(f.handles[i]);
        const int s = slot_for(g_orig, kTramp, reinterpret_cast<dissector_t>(m->dissector_func));
        if (f.handles[i] == sip) g_one_message_slot = s;
        m->dissector_func = reinterpret_cast<void *>(kTramp[s]);
    }
    for (int i = 0; i < f.nheur; ++i) {
        const int s = slot_for(g_orig_heur, kTrampHeur, f.heur[i]->dissector);
        g_heur_one[s] = (g_heur_one[s] != 0 && f.heur_datagram[i]) ? 1 : 0;
        f.heur[i]->dissector = kTrampHeur[s];
    }
    g_installed = true;
    int one = 0;
    for (int i = 0; i < kSlots; ++i) one += g_heur_one[i] == 1 ? 1 : 0;
    static char reason[128];
    std::snprintf(reason, sizeof reason,
                  "installed on %d handles and %d heuristics (%d one-message heuristic functions)",
                  f.nhandles, f.nheur, one);
    g_debug_reason = reason;
}

void debug_report() {
    if (!g_debug) return;
    std::fprintf(stderr,
                 "sipdiag hook: %s; %s; skipped %lu, from tree %lu, from hook %lu, not analysed "
                 "%lu; taps %d %d %d; item only %lu; fields only %lu; first pass unseen %lu\n",
                 g_debug_reason, enabled() ? "on" : "off", counters.skipped, counters.from_tree,
                 counters.from_hook, counters.not_analysed, g_tap_expert, g_tap_stats, g_tap_flow,
                 counters.item_only, counters.fields_only, counters.first_pass_unseen);
}

}  // namespace sipdiag::ws::hook
