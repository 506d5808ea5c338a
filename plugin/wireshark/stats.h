// SPDX-License-Identifier: GPL-2.0-or-later
// The sipdiag tap and the statistics tree (Statistics › SIP Response Diagnostics, tshark
// -z sipdiag,tree).
#pragma once

#include "wireshark/ws_compat.h"

#include "core/correlator.h"

namespace sipdiag::ws {

void register_stats();
// Queues one response for the tap; also on passes without a protocol tree (tshark -2 -q -z).
void queue_tap(packet_info *pinfo, const Correlator &corr, const Record &r);

}  // namespace sipdiag::ws
