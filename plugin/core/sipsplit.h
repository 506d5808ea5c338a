// SPDX-License-Identifier: GPL-2.0-or-later
// Cuts a run of bytes that Wireshark's SIP dissector accepted in one call (a UDP datagram, or the
// complete messages of a TCP segment or reassembly) into its messages, the way the dissector
// delimits them: the header block ends at the first empty line, the body is Content-Length
// (or its compact form `l`) bytes long; without a usable Content-Length the message runs to the
// end of the bytes. CR/LF between messages (keep-alives) belong to no message.
//
// Pure C++17, no Wireshark, no allocation.
#pragma once

#include <cstddef>
#include <string_view>

namespace sipdiag {

struct MessageSpan {
    std::size_t start = 0;
    std::size_t length = 0;
};

// Writes at most `max` spans; returns how many messages the bytes hold (can be more than max).
std::size_t split_sip_messages(std::string_view bytes, MessageSpan *out, std::size_t max);

}  // namespace sipdiag
