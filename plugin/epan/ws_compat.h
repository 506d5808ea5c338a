// The one place where Wireshark API differences between release lines live. Every guard names
// the release that changed the API. Include this instead of the epan headers directly.
#pragma once

#include <ws_version.h>

#define SIPDIAG_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) ||   \
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
#include <ws_symbol_export.h>

// 4.2 turned field_info.value from an embedded fvalue_t into a pointer.
#if SIPDIAG_WS_AT_LEAST(4, 2)
#define SIPDIAG_FI_FVALUE(fi) ((fi)->value)
#else
#define SIPDIAG_FI_FVALUE(fi) (&(fi)->value)
#endif

// 4.2 made the fvalue getters take const pointers and renamed nothing we use; both forms accept
// the expression above.
inline const char *sipdiag_fi_string(field_info *fi) {
    return fvalue_get_string(SIPDIAG_FI_FVALUE(fi));
}
inline unsigned sipdiag_fi_uint(field_info *fi) {
    return static_cast<unsigned>(fvalue_get_uinteger(SIPDIAG_FI_FVALUE(fi)));
}

// 4.4 added plugin_describe() and the WS_PLUGIN_DESC_* flags.
#if SIPDIAG_WS_AT_LEAST(4, 4)
#define SIPDIAG_HAVE_PLUGIN_DESCRIBE 1
#include <wsutil/plugins.h>
#else
#define SIPDIAG_HAVE_PLUGIN_DESCRIBE 0
#endif

// 4.2 added the generic hf/ei initialisers; before, ids start at -1.
#define SIPDIAG_HF_INIT (-1)
