// SPDX-License-Identifier: GPL-2.0-or-later
// Wireshark's flow graph API (epan/sequence_analysis.h) for the sipdiag flow type.
//
// libwireshark exports the functions on every release line we build for (4.0, 4.4, 4.6), but
// Debian's libwireshark-dev does not ship the header on any of them (checked: bookworm 4.0.17,
// trixie 4.4.19, forky 4.6.9). When a release does ship it, it is used as is. Otherwise the few
// declarations the flow needs are repeated here from that release's own header, with the item
// and info structures cut after the last member we touch: the library allocates and frees both
// (sequence_analysis_create_sai_with_addresses(), the flow graph dialog, tshark's -z flow), we
// only fill members of an item it handed us and append it to the info's queue.
//
// The layouts, checked against each release's header source (4.0.17) and its library's machine
// code (4.0.17, 4.4.19, 4.6.9: the offsets of the ports, frame_label, time_str, comment, conv_num,
// display, line_style and the info's items queue, as the library's own flow taps write them):
//   4.0:       has_color_filter and display are gboolean (display at byte 112).
//   4.4, 4.6:  both are C99 bool (display at byte 109); all members before them are unchanged.
// 4.2 is not in the matrix: if it already has bool, lower that guard to 4.2.
// tests/e2e/test_flow.py fails when a layout stops matching: the labels and comments written
// through these members must come out of tshark -z flow,sipdiag.
#pragma once

#if __has_include(<epan/sequence_analysis.h>)
#include <epan/sequence_analysis.h>
#define SIPDIAG_SEQ_HEADER 1
#else
#define SIPDIAG_SEQ_HEADER 0

#include <glib.h>
#include <epan/address.h>
#include <epan/packet_info.h>
#include <epan/tap.h>
#include <ws_symbol_export.h>

#if SIPDIAG_WS_AT_LEAST(4, 4)
typedef bool sipdiag_seq_bool;
#else
typedef gboolean sipdiag_seq_bool;
#endif

extern "C" {

// One arrow of the flow graph (leading members only, see above).
typedef struct _seq_analysis_item {
    guint32 frame_number;
    address src_addr;
    guint16 port_src;
    address dst_addr;
    guint16 port_dst;
    gchar *frame_label;  // text above the arrow, g_malloc'd, freed by Wireshark
    gchar *time_str;     // set by sequence_analysis_create_sai_with_addresses()
    gchar *comment;      // comment column, g_malloc'd, freed by Wireshark
    guint16 conv_num;    // conversation number: colour in the GUI, "Conv." column in tshark
    unsigned fg_color;
    unsigned bg_color;
    sipdiag_seq_bool has_color_filter;
    sipdiag_seq_bool display;  // drawn or not
    guint src_node;
    guint dst_node;
    guint16 line_style;  // arrow width in pixels
} seq_analysis_item_t;

// The flow being built (leading members only).
typedef struct _seq_analysis_info {
    const char *name;
    sipdiag_seq_bool any_addr;
    int nconv;
    GQueue *items;  // of seq_analysis_item_t *
} seq_analysis_info_t;

WS_DLL_PUBLIC void register_seq_analysis(const char *name, const char *ui_name, const int proto_id,
                                         const char *tap_listener, guint tap_flags,
                                         tap_packet_cb tap_func);
WS_DLL_PUBLIC seq_analysis_item_t *sequence_analysis_create_sai_with_addresses(
    packet_info *pinfo, seq_analysis_info_t *sainfo);

}  // extern "C"

// The offsets read in each release's library (x86-64 and other LP64 targets): an edit above that
// moves a member fails here at compile time; a release that moves one fails tests/e2e/test_flow.py.
#if defined(__LP64__)
#include <cstddef>
static_assert(offsetof(seq_analysis_item_t, port_src) == 32, "seq_analysis_item_t.port_src");
static_assert(offsetof(seq_analysis_item_t, port_dst) == 64, "seq_analysis_item_t.port_dst");
static_assert(offsetof(seq_analysis_item_t, frame_label) == 72, "seq_analysis_item_t.frame_label");
static_assert(offsetof(seq_analysis_item_t, time_str) == 80, "seq_analysis_item_t.time_str");
static_assert(offsetof(seq_analysis_item_t, comment) == 88, "seq_analysis_item_t.comment");
static_assert(offsetof(seq_analysis_item_t, conv_num) == 96, "seq_analysis_item_t.conv_num");
static_assert(offsetof(seq_analysis_item_t, display) == (SIPDIAG_WS_AT_LEAST(4, 4) ? 109 : 112),
              "seq_analysis_item_t.display");
static_assert(offsetof(seq_analysis_item_t, line_style) == (SIPDIAG_WS_AT_LEAST(4, 4) ? 120 : 124),
              "seq_analysis_item_t.line_style");
static_assert(offsetof(seq_analysis_info_t, items) == 16, "seq_analysis_info_t.items");
#endif
#endif
