// SPDX-License-Identifier: GPL-2.0-or-later
// The one place where Wireshark API differences between release lines live. Every guard names
// the release that changed the API. Include this instead of the epan headers directly.
#pragma once

#include <ws_version.h>

#define SIPDIAG_WS_AT_LEAST(maj, min)   \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

// The epan headers declare their own extern "C" blocks.
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/uat.h>
#include <epan/stats_tree.h>
#include <epan/ftypes/ftypes.h>
#include <epan/to_str.h>
#include <epan/address.h>
// true_false_string: 4.0 and 4.4 get it through proto.h, 4.6 no longer does.
#include <epan/tfs.h>
#include <ws_symbol_export.h>

// 4.4 added plugin_describe() and the WS_PLUGIN_DESC_* flags.
#if SIPDIAG_WS_AT_LEAST(4, 4)
#define SIPDIAG_HAVE_PLUGIN_DESCRIBE 1
#include <wsutil/plugins.h>
#else
#define SIPDIAG_HAVE_PLUGIN_DESCRIBE 0
#endif

// Field, subtree and expert ids: 4.0 and 4.4 initialise them to -1 (EI_INIT is {-1, -1}); 4.6
// made EI_INIT {0, 0}, the new convention being 0-initialised ids. 4.6 still registers ids that
// start at -1 (checked: all sipdiag fields and expert infos register, no warning), so ours stay
// -1 on every release line. proto_registrar_get_id_byname() and proto_get_id_by_filter_name()
// still return -1 for an unknown name in 4.6.

// 4.4 switched boolean preferences to C99 bool: prefs_register_bool_preference() takes a
// bool * (4.0: gboolean *). 4.4 is the first line built here with it (4.2 is not in the
// matrix: if it already has bool *, lower this guard to 4.2). uint/enum preferences only
// changed spelling (guint -> unsigned, gint -> int: the same types), so they need nothing.
#if SIPDIAG_WS_AT_LEAST(4, 4)
typedef bool sipdiag_pref_bool;
#else
typedef gboolean sipdiag_pref_bool;
#endif

// 4.2 switched the UAT update callback (uat_update_cb_t) to return bool (4.0: gboolean).
#if SIPDIAG_WS_AT_LEAST(4, 2)
typedef bool sipdiag_uat_bool;
#else
typedef gboolean sipdiag_uat_bool;
#endif

// The frames this one depends on (reassembly): a list in packet_info in 4.0, a hash table in
// frame_data from 4.2 on (4.2 is not in the matrix: checked on 4.0 and 4.4).
static inline bool sipdiag_has_dependent_frames(const packet_info *pinfo) {
#if SIPDIAG_WS_AT_LEAST(4, 2)
    return pinfo->fd != NULL && pinfo->fd->dependent_frames != NULL &&
           g_hash_table_size(pinfo->fd->dependent_frames) > 0;
#else
    return pinfo->dependent_frames != NULL;
#endif
}

// Checked and unchanged from 4.0 to 4.6, so no guard is needed (keep this list when adding one):
//  - stat_tree_packet_cb: (stats_tree *, packet_info *, epan_dissect_t *, const void *,
//    tap_flags_t) returning tap_packet_status (since 3.6); stats_tree_register_plugin() returns
//    void in 4.0 and stats_tree_cfg * in 4.4/4.6, which we ignore.
//  - tap_packet_status / TAP_PACKET_REDRAW (since 3.6).
//  - field_info.ds_tvb/start/length, proto_get_finfo_ptr_array(), tvb_captured_length(),
//    tvb_get_ptr() (the message text is read from the `sip` items; no field values are read).
//  - proto_tree_add_{item,uint,string,double,time,boolean}[_format], proto_tree_add_subtree*,
//    expert_add_info(), register_postdissector(), set_postdissector_wanted_hfids().
//  - g_snprintf(): still plain GLib, not deprecated by Wireshark's headers in 4.4/4.6.
//  - gboolean/guint/gint, TRUE/FALSE, guint8/guint16/guint32: still defined (GLib) in 4.6; only
//    the API signatures moved to bool/unsigned/int, and only bool * (above) is a different type.
// Behaviour that differs without an API change (tests must allow for it): 4.4 and 4.6
// `tshark -T fields` print FT_BOOLEAN values as True/False (4.0: 1/0).

// The private layout of `struct dissector_handle` (epan/packet.c), mirrored ONLY here for the
// SIP hook (sip_hook.cpp), which swaps the dissector function of the SIP handles in place. It is
// not API: sip_hook.cpp checks every mirrored field against the public accessors before it
// touches anything, and leaves Wireshark alone (tree-based fallback) when one differs.
//  - 4.0 (checked on the installed 4.0.17 libwireshark: dissector_handle_get_description reads
//    offset 8, dissector_handle_get_protocol_index offset 0x28, call_dissector_through_handle
//    tests the type at 0x10 and calls through 0x18) and 4.2 (epan/packet.c of that line):
//    name, description, type, function, data, protocol.
//  - 4.4 and 4.6 (epan/packet.c of the later lines): a `char *pref_suffix` after the
//    description, the function in a union of the simple and callback types.
struct sipdiag_dissector_handle_mirror {
    const char *name;
    const char *description;
#if SIPDIAG_WS_AT_LEAST(4, 4)
    char *pref_suffix;
#endif
    int dissector_type;  // enum dissector_e: 0 = DISSECTOR_TYPE_SIMPLE
    void *dissector_func;
    void *dissector_data;
    protocol_t *protocol;
};
#define SIPDIAG_DISSECTOR_TYPE_SIMPLE 0

// The flow graph API (epan/sequence_analysis.h), missing from Debian's libwireshark-dev on
// every release line: see ws_seq_compat.h.
#include "wireshark/ws_seq_compat.h"
