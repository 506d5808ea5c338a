// SPDX-License-Identifier: GPL-2.0-or-later
// Observes Wireshark's SIP dissector without asking for a protocol tree (docs/performance.md,
// "Plain mode"). At handoff the dissector function of every SIP handle (`sip`, `sip.tcp`, and
// any other handle of the SIP protocol found in a dissector table) and of every SIP heuristic
// entry is replaced, in place, by a trampoline that calls the original and records where the
// messages it accepted lie in the frame. No dissector table changes (nothing in Decode As,
// nothing saved to a profile), and every caller of those handles goes through the trampoline.
//
// The handle's layout is private to epan/packet.c: it is mirrored in ws_compat.h and every
// mirrored field is checked against the public accessors first; when one differs nothing is
// changed and the plugin keeps asking for the `sip` tree items (installed() is false).
#pragma once

#include "wireshark/ws_compat.h"

#include <cstddef>

namespace sipdiag::ws::hook {

// At handoff, after the SIP dissector registered its handles and heuristics.
void install(int proto_sip);
bool installed();
// The preference sipdiag.observe_sip_dissector (on by default) and a valid hook.
bool enabled();
extern sipdiag_pref_bool pref_observe;

// Whether this process is tshark. Only there is a first pass known to be the only pass that
// shows a frame: Wireshark and sharkd dissect a frame again whenever the display filter changes,
// and show then what their first pass stored. Read once from /proc/self/exe (Linux); unknown
// elsewhere, which means "not tshark" (the work is done).
bool in_tshark();

// Nothing of sipdiag can be seen for this frame, and never will: the single pass of tshark
// printing summary lines, with no tree (plain tshark) or a tree that hides sipdiag (a display
// filter that names nothing of it, tshark -Y sip), no tap the plugin feeds, no expert tap, no
// tap that asked for the columns, no Expert column. Neither the trampolines nor the
// post-dissector do anything then.
bool nothing_visible(const packet_info *pinfo, proto_tree *tree);

// Nothing of sipdiag can be seen in this dissection of the frame (any pass, any program): a tree
// that hides sipdiag and nobody else looking. The results stored on the first pass are not
// rendered then (they are still there for the next pass that shows them).
bool nothing_to_render(const packet_info *pinfo, proto_tree *tree);

// All that can be seen of sipdiag in this dissection is whether its protocol item is there:
// tshark, a tree that is not shown, `sipdiag` itself named by the display filter (or a read
// filter, a tap's filter), nothing under it nor an expert info field named, and nobody else
// looking (as for nothing_to_render). tshark -Y sipdiag, -2 -Y sipdiag. Not in Wireshark: its
// status bar counts the expert infos of every dissection.
bool item_only(const packet_info *pinfo, proto_tree *tree);
// Something outside the tree sees this pass: a tap the plugin feeds, the expert tap, columns a tap
// asked for, an Expert column (asked once per pass in tshark).
bool seen_from_outside(const packet_info *pinfo);

// One run of bytes the SIP dissector accepted in one call, as the data source it lies in (the
// frame, or a reassembled buffer) and the offset and length in it.
struct Region {
    tvbuff_t *ds_tvb = nullptr;
    int start = 0;
    int length = 0;
    // Exactly one message, of exactly this length: recorded from the `sip` handle's function,
    // which dissects one message and returns its length (the length of its `sip` item).
    bool one_message = false;
    // At most one message, starting at `start`: recorded from a heuristic of a datagram transport
    // (UDP, SCTP, STUN: the SIP dissector reads one message there), whose length is not returned.
    bool first_message_only = false;
};
constexpr std::size_t kMaxRegions = 64;

// The regions recorded for the frame being dissected (none when it is another frame), and
// whether a trampoline ran at all for it.
std::size_t frame_regions(const packet_info *pinfo, const Region **out, bool *called);
void clear_frame();

// Debug counters (printed at cleanup when the environment variable SIPDIAG_DEBUG_HOOK is set;
// SIPDIAG_DEBUG_HOOK=blind also makes the trampolines record nothing, for tests).
struct Counters {
    unsigned long skipped = 0;       // post-dissector calls with nothing visible
    unsigned long from_tree = 0;     // frames whose messages came from the `sip` items
    unsigned long from_hook = 0;     // frames whose messages came from the trampolines
    unsigned long not_analysed = 0;  // SIP in the frame, seen by neither
    unsigned long item_only = 0;     // frames rendered as the protocol items alone (item_only())
    unsigned long fields_only = 0;   // frames rendered into a tree hidden for -T fields (4.0)
    unsigned long first_pass_unseen = 0;  // tshark -2: first-pass frames left unrendered
};
extern Counters counters;
void debug_report();

}  // namespace sipdiag::ws::hook
