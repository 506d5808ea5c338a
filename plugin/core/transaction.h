// SPDX-License-Identifier: GPL-2.0-or-later
// What the correlator remembers of one SIP transaction (Call-ID, CSeq and top Via branch): its
// request, as far as the rules need it, and the responses seen so far.
#pragma once

#include "core/multipoint.h"
#include "core/sipmsg.h"
#include "core/topics.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sipdiag {

struct Transaction {
    FrameNum request_frame = 0;  // 0: the request is not in the capture
    TimeNs request_time = 0;
    std::uint32_t request_record = UINT32_MAX;
    std::uint32_t followup_of = UINT32_MAX;  // record of the response this request is a retry for
    std::string request_uri;                 // INVITE/PUBLISH/UPDATE only
    std::string event;                       // PUBLISH
    std::string if_match;                    // PUBLISH
    std::optional<std::uint32_t> session_expires;
    std::unique_ptr<RequestFacts> facts;  // only for requests that carry relevant headers
    std::uint16_t client_agent = 0;       // User-Agent of the request (Correlator::agent_name)
    bool has_final = false;
    std::uint8_t response_count = 0;
    std::uint16_t codes[4] = {0, 0, 0, 0};
    FrameNum frames[4] = {0, 0, 0, 0};
    // Multi-point captures (core/multipoint.h). The fields above are about the first sighting
    // anywhere; `leg` is the leg of the transaction's first message and, while it is the only
    // one, those fields describe it. On the first sighting on another leg, `legs` is made: one
    // entry per leg (the first one copied from the fields above), so that each message is
    // compared with what its own leg saw.
    LegId leg = 0;
    std::unique_ptr<std::vector<LegSightings>> legs;

    bool captured() const { return request_frame != 0; }
    const RequestFacts &request_facts_or_empty() const {
        static const RequestFacts kNone;
        return facts ? *facts : kNone;
    }
};

}  // namespace sipdiag
