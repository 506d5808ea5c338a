// SPDX-License-Identifier: GPL-2.0-or-later
// Entry points of the Wireshark adapter, called from plugin.cpp.
#pragma once

namespace sipdiag::ws {

void register_protocol();  // fields, subtrees, expert infos, preferences, tap, stats tree
void register_handoff();   // post-dissector registration and the SIP item it reads

}  // namespace sipdiag::ws
