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
#include <string_view>
#include <vector>

namespace sipdiag {

// What only some requests carry, as views to be copied (RequestText::assign): the Request-URI
// (INVITE, PUBLISH, UPDATE), the event package and SIP-If-Match of a PUBLISH, the
// Session-Expires asked for, and the facts some rules read (RequestFacts, core/topics.h) of a
// request carrying a header they come from.
struct RequestParts {
    std::string_view uri, event, if_match;
    std::optional<std::uint32_t> session_expires;
    bool has_facts = false;
    // Option tags of Require and Proxy-Require, each a byte of length (at most 64) then the tag.
    std::string_view require;
    std::optional<std::uint32_t> expires;
    std::string_view content_type;  // cut at 128 bytes
    std::string_view facts_event;   // the event package of any request with Event
    bool has_credentials = false;   // Authorization or Proxy-Authorization
};

// RequestParts kept in one heap block (none when a request has none of it): one allocation per
// request that carries something, instead of one per text and one for the facts.
class RequestText {
  public:
    void assign(const RequestParts &p);
    std::string_view uri() const { return part(kUri); }
    std::string_view event() const { return part(kEvent); }
    std::string_view if_match() const { return part(kIfMatch); }
    std::optional<std::uint32_t> session_expires() const;
    // The facts (known == false when the request carried none of their headers).
    RequestFacts facts() const;
    std::optional<std::uint32_t> expires() const;
    bool has_credentials() const;

  private:
    enum Part { kUri, kEvent, kIfMatch, kContentType, kFactsEvent, kRequire, kParts };
    static constexpr std::uint32_t kHasSessionExpires = 1, kHasExpires = 2, kHasFacts = 4,
                                   kHasCredentials = 8;
    struct Head {
        std::uint32_t session_expires;
        std::uint32_t expires;
        std::uint32_t flags;
        std::uint32_t size[kParts];  // of the texts that follow, in order
    };
    Head head() const;
    std::string_view part(int i) const;
    std::unique_ptr<char[]> block_;  // Head, then the texts
};

// The table holds every transaction of the last minute or so: keep it small.
struct Transaction {
    TimeNs request_time = 0;
    FrameNum request_frame = 0;  // 0: the request is not in the capture
    std::uint32_t request_record = UINT32_MAX;
    std::uint32_t followup_of = UINT32_MAX;  // record of the response this request is a retry for
    std::uint16_t client_agent = 0;          // User-Agent of the request (Correlator::agent_name)
    bool has_final = false;
    std::uint8_t response_count = 0;
    ResponseId responses[4] = {0, 0, 0, 0};  // the first sightings of each response (below)
    FrameNum frames[4] = {0, 0, 0, 0};
    RequestText text;  // what only some requests carry
    // Multi-point captures (core/multipoint.h). The fields above are about the first sighting
    // anywhere; `leg` is the leg of the transaction's first message and, while it is the only
    // one, those fields describe it. On the first sighting on another leg, the correlator makes
    // the transaction an entry in its leg table (one entry per leg, the first one copied from
    // the fields above; `multi_leg` says there is one), so that each message is compared with
    // what its own leg saw. Kept out of this struct: most captures have one capture point.
    LegId leg = 0;
    bool multi_leg = false;

    bool captured() const { return request_frame != 0; }
    void release_request_text() { text = RequestText{}; }
    std::string_view request_uri() const { return text.uri(); }
    // PUBLISH: the event package and the SIP-If-Match of the request ("" for other methods).
    std::string_view event() const { return text.event(); }
    std::string_view if_match() const { return text.if_match(); }
    std::optional<std::uint32_t> session_expires() const { return text.session_expires(); }
    // The facts of the request (RequestFacts::known is false when it carried none of their
    // headers), built from the block: for the rules that read them all.
    RequestFacts request_facts() const { return text.facts(); }
    std::optional<std::uint32_t> request_expires() const { return text.expires(); }
    bool request_had_credentials() const { return text.has_credentials(); }
};
// 72 bytes: 56, the first leg (multi-point), and the To tags of the responses (forks; 8 bytes
// more per live transaction, about 0.2 MB on the dense benchmark capture).
static_assert(sizeof(Transaction) <= 72, "Transaction: the table holds a minute of them");

}  // namespace sipdiag
