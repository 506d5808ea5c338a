// SPDX-License-Identifier: GPL-2.0-or-later
// The symbols Wireshark's plugin loader looks for. C linkage, default visibility (everything else
// in the module is hidden). No C++ exception may leave these functions.
#include "wireshark/sipdiag.h"
#include "wireshark/ws_compat.h"

#ifndef SIPDIAG_VERSION
#define SIPDIAG_VERSION "0.0.0"
#endif

namespace {

void register_protoinfo() noexcept {
    try {
        sipdiag::ws::register_protocol();
    } catch (...) {
        // Nothing sensible to do: the protocol stays unregistered.
    }
}

void register_handoff() noexcept {
    try {
        sipdiag::ws::register_handoff();
    } catch (...) {
    }
}

}  // namespace

extern "C" {

// Declared first: a const object at namespace scope would otherwise have internal linkage.
WS_DLL_PUBLIC_DEF extern const char plugin_version[];
WS_DLL_PUBLIC_DEF extern const int plugin_want_major;
WS_DLL_PUBLIC_DEF extern const int plugin_want_minor;
WS_DLL_PUBLIC_DEF void plugin_register(void);

const char plugin_version[] = SIPDIAG_VERSION;
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

void plugin_register(void) {
    static proto_plugin plug;
    plug.register_protoinfo = register_protoinfo;
    plug.register_handoff = register_handoff;
    proto_register_plugin(&plug);
}

#if SIPDIAG_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC_DEF uint32_t plugin_describe(void) {
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

}  // extern "C"
