// SPDX-License-Identifier: GPL-2.0-or-later
// Finds the SIP messages of a frame (the `sip` items Wireshark put into the tree) and copies,
// per message, what the analysis needs into plain core structs, read from the message text by
// core/sipmsg.h. No Wireshark exception can be thrown from here: only
// proto_get_finfo_ptr_array() and tvb accessors with checked bounds are called.
#pragma once

#include "wireshark/ws_compat.h"

#include "core/correlator.h"

#include <cstddef>
#include <vector>

namespace sipdiag::ws {

constexpr std::size_t kMaxMessagesPerFrame = 64;

// Where one SIP message sits in the frame's data, for highlighting the tree items.
struct MessagePos {
    tvbuff_t *tvb = nullptr;
    int start = 0;
    int length = 0;
};

// Resolves the id of the SIP protocol; call from the handoff (the SIP dissector is registered by
// then). wanted_sip_fields() gives the ids the post-dissector must ask for: only that one.
void resolve_sip_fields();
GArray *wanted_sip_fields();  // for set_postdissector_wanted_hfids (ownership passes to epan)

// Frees what the reader kept between messages (call when the capture is closed).
void release_reader_buffers();

// Where the messages of a frame were found: the `sip` items of the tree, the SIP hook's records
// (sip_hook.h), neither; `unseen`: the hook is on and no trampoline ran for the frame.
enum class Source { none, tree, hook, unseen };

// Fills positions (always) and, when `msgs` is not null, the messages as views into the frame's
// bytes (and into the reader's text store: valid until the next frame). Returns the number of
// SIP messages in the frame (at most kMaxMessagesPerFrame).
std::size_t extract_messages(proto_tree *tree, packet_info *pinfo, MessagePos *positions,
                             std::vector<MessageView> *msgs, Source *source = nullptr);

}  // namespace sipdiag::ws
