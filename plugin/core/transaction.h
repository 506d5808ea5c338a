// SPDX-License-Identifier: GPL-2.0-or-later
// What the correlator remembers of one SIP transaction (Call-ID, CSeq and top Via branch): its
// request, as far as the rules need it, and the responses seen so far.
#pragma once

#include "core/sipmsg.h"
#include "core/topics.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sipdiag {

// Two strings in one heap block (none while both are empty): a transaction's Request-URI and
// SIP-If-Match cost one allocation, and nothing for the requests that need neither.
class StringPair {
  public:
    void assign(std::string_view a, std::string_view b);
    std::string_view first() const { return part(0); }
    std::string_view second() const { return part(1); }

  private:
    std::string_view part(int i) const;
    std::unique_ptr<char[]> block_;  // [size of a: u32][size of b: u32][a][b]
};

// 72 bytes: the table holds every transaction of the last minute or so.
struct Transaction {
    TimeNs request_time = 0;
    FrameNum request_frame = 0;  // 0: the request is not in the capture
    std::uint32_t request_record = UINT32_MAX;
    std::uint32_t followup_of = UINT32_MAX;  // record of the response this request is a retry for
    std::uint16_t client_agent = 0;          // User-Agent of the request (Correlator::agent_name)
    bool has_final = false;
    std::uint8_t response_count = 0;
    std::uint16_t codes[4] = {0, 0, 0, 0};
    FrameNum frames[4] = {0, 0, 0, 0};
    std::optional<std::uint32_t> session_expires;
    bool publish = false;
    StringPair uri_if_match;  // Request-URI (INVITE/PUBLISH/UPDATE), SIP-If-Match (PUBLISH)
    std::unique_ptr<RequestFacts> facts;  // only for requests that carry relevant headers

    bool captured() const { return request_frame != 0; }
    std::string_view request_uri() const { return uri_if_match.first(); }
    // PUBLISH: the event package and the SIP-If-Match of the request ("" for other methods).
    std::string_view event() const { return publish && facts ? facts->event : std::string_view{}; }
    std::string_view if_match() const { return uri_if_match.second(); }
    const RequestFacts &request_facts_or_empty() const {
        static const RequestFacts kNone;
        return facts ? *facts : kNone;
    }
};

}  // namespace sipdiag
