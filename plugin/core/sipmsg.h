// SPDX-License-Identifier: GPL-2.0-or-later
// Reads what the analysis needs from the text of one SIP message (start line and headers), the
// way Wireshark's SIP dissector (4.0 to 4.6) fills the fields the adapter used to ask for
// (sip.Call-ID, sip.Via.branch, sip.Contact...). Asking Wireshark for those fields is what made
// the plugin expensive: it then keeps a UTF-8 checked copy and an interesting-field array of each
// for every frame. Now the adapter asks only for the `sip` item and hands its bytes here.
//
// Pure C++17, no Wireshark. Bounded work: one pass over the header lines (linear in the message
// size), vectors capped where the adapter capped them. The body (after the empty line) is never
// read.
#pragma once

#include "core/topics.h"

#include <array>
#include <deque>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipdiag {

using FrameNum = std::uint32_t;  // 0 = none
using TimeNs = std::int64_t;

// What the analysis knows of one SIP message: its place in the capture, filled by the adapter,
// and the values the reader below took from its text (fill_sip_message). Header vectors hold the
// raw header values in message order (one element per header line).
struct SipMessage {
    FrameNum frame = 0;
    std::uint8_t index = 0;  // position of the message in its frame (several per TCP segment)
    TimeNs time_ns = 0;
    std::string src;  // network source address (no port), identifies the client as a fallback
    // Multi-point captures (core/multipoint.h), filled by the adapter: the leg (leg_key() of both
    // endpoints and the transport) and bytes_fingerprint() of the message; 0 when unknown.
    std::uint64_t leg = 0;
    std::uint64_t bytes_sig = 0;
    bool is_request = false;
    std::string method;   // request method
    unsigned status = 0;  // response status code
    std::string request_uri;
    std::string call_id;
    bool has_cseq = false;
    std::uint32_t cseq = 0;
    std::string cseq_method;
    std::string branch;       // top Via branch
    std::string via_sent_by;  // identifies the client: top Via host and number of Vias
    std::string from_tag;
    std::string to_uri;
    std::string to_tag;  // tells the responses of two forks apart
    std::vector<std::string> contact;
    std::vector<std::string> session_expires;
    std::vector<std::string> min_se;
    std::vector<std::string> if_match;
    std::vector<std::string> etag;
    std::vector<std::string> event;
    HeaderList headers;  // further headers for the topic analysis (core/topics.h)
};

// What the analysis reads of one SIP message while Correlator::add() runs: the fields of
// SipMessage as views, into the message bytes when a value is the bytes themselves (plain ASCII,
// the common case) or else into a TextStore. Nothing is copied per message; the core copies what
// it keeps. The adapter fills one from the reader's output (fill_view); tests build the owning
// SipMessage and view it (view_of).
struct MessageView {
    FrameNum frame = 0;
    std::uint8_t index = 0;
    TimeNs time_ns = 0;
    std::string_view src;
    std::uint64_t leg = 0;
    std::uint64_t bytes_sig = 0;
    bool is_request = false;
    std::string_view method;
    unsigned status = 0;
    std::string_view request_uri;
    std::string_view call_id;
    // hash_parts({call_id}) (core/bounded_map.h), computed once with the view: the transaction,
    // dialog and call keys all start from it.
    std::uint64_t call_hash = 0;
    bool has_cseq = false;
    std::uint32_t cseq = 0;
    std::string_view cseq_method;
    std::string_view branch;
    // The client (client_hash()): the top Via's sent-by host as read (at most 256 bytes, not
    // lower-cased; empty without a Via) and the number of Vias. view_of() splits a SipMessage's
    // "host#count" into these.
    std::string_view via_sent_by;
    std::uint32_t via_count = 0;
    std::string_view from_tag;
    std::string_view to_uri;
    std::string_view to_tag;
    std::vector<std::string_view> contact;
    std::vector<std::string_view> session_expires;
    std::vector<std::string_view> min_se;
    std::vector<std::string_view> if_match;
    std::vector<std::string_view> etag;
    std::vector<std::string_view> event;
    HeaderViews headers;
    // client_hash() (core/rules/rule.h) of this message, kept by its first call (0: not yet): a
    // message's keys need it three or four times. fill_view() and view_of() reset it.
    mutable std::uint64_t client_hash_memo = 0;
};

// Text a MessageView points to when it is not the message bytes (converted or cut values, the
// client identity "host#vias", header numbers). Its strings are reused from one reset() to the
// next, so that they keep their buffers: no allocation per message once they have grown. Views
// stay valid until the next reset().
class TextStore {
  public:
    std::string &next() {
        if (used_ == slots_.size()) slots_.emplace_back();
        return slots_[used_++];
    }
    void reset() { used_ = 0; }

  private:
    std::deque<std::string> slots_;  // a deque: growing it does not move the strings
    std::size_t used_ = 0;
};

// The values as raw message bytes (views into the text given to parse_sip_message; folded values
// keep their CRLF and leading whitespace, as Wireshark's fields do). Turn them into the strings
// Wireshark shows with field_text(). "First" means the first non-empty value, like the adapter
// that read the fields kept it.
struct SipText {
    enum class Start : std::uint8_t { other, request, status };
    // Wireshark dissects the headers of a message only after a valid Request-Line or Status-Line
    // ("SIP/2.0" exactly); `other` leaves every field below empty.
    Start start = Start::other;
    unsigned status = 0;
    std::string_view method;
    std::string_view request_uri;
    std::string_view call_id;       // first
    bool has_cseq = false;          // a CSeq with a sequence number (first)
    std::uint32_t cseq = 0;         // as Wireshark reads it: strtoul, cut to 32 bits
    std::string_view cseq_method;   // first; none when longer than 16 bytes
    bool has_top_via = false;       // some Via gave a sent-by address (possibly empty)
    std::string_view top_via_host;  // first sent-by address, without the brackets of IPv6
    std::string_view branch;        // first non-empty branch in the first Via header line
    unsigned via_count = 0;         // sent-by addresses in all Via headers (comma-separated too)
    std::string_view from_tag;      // first
    std::string_view to_uri;        // first: URI inside <...>, or the addr-spec
    std::string_view to_tag;        // of that first To, found as the From tag is
    std::vector<std::string_view> contact;  // every Contact header value
    // At most kMaxKept each (the adapter kept 4).
    static constexpr std::size_t kMaxKept = 4;
    std::vector<std::string_view> session_expires, min_se, if_match, etag, event;
    // Topic headers by Hdr, message order; each list holds at most kMaxTopicHeaders values (the
    // HeaderList keeps 64 in all). Retry-After and Expires are numbers in Wireshark: see
    // topic_text().
    static constexpr std::size_t kMaxTopicHeaders = 64;
    std::array<std::vector<std::string_view>, static_cast<std::size_t>(Hdr::count_)> topics;
    // Bit h set when topics[h] is not empty (so that nothing walks the empty lists).
    std::uint32_t topic_mask = 0;
    // Every line a value above was taken from (start line, headers) is plain ASCII with no NUL:
    // each value's field text is then its bytes, with no check per value.
    bool plain = true;
    static_assert(static_cast<std::size_t>(Hdr::count_) <= 32, "topic_mask holds one bit per Hdr");
};

// Parses one SIP message. `text` may run on past the message (a TCP segment's first SIP item can
// span the segment): parsing stops at the empty line that ends the headers, or at the end.
SipText parse_sip_message(std::string_view text);

// The same into `t`, which is reset first: its vectors keep their capacity, so the adapter, which
// parses every message into one SipText, allocates nothing per message once they have grown.
void parse_sip_message(std::string_view text, SipText &t);

// A value as Wireshark's string fields show it: cut at the first NUL byte (C string), invalid
// UTF-8 replaced by U+FFFD per maximal subpart (Unicode 3.9, as Wireshark's UTF-8 decoding does).
std::string field_text(std::string_view raw);

// The same without the cut at NUL (Wireshark's converted buffer, which some parsing reads on).
std::string make_valid_utf8(std::string_view raw);

// Text the adapter saw for a topic header: the field text, except for Retry-After and Expires,
// which are FT_UINT32 fields in Wireshark: the number it stores, in decimal. Returns false when
// Wireshark adds no field for the value (Retry-After starting with '-').
bool topic_text(Hdr h, std::string_view raw, std::string *out);

// Fills the message fields of `m` (not frame, index, time, src) from `t`, with the bounds the
// adapter applies (bounded copies, at most 4 Session-Expires..., the top Via host lower-cased
// with '#' and the Via count appended).
void fill_sip_message(const SipText &t, SipMessage &m);

// The same as views (not frame, index, time, src, leg, bytes_sig): into t's text, or into `store`
// for what had to be converted. `m`'s vectors keep their capacity.
void fill_view(const SipText &t, TextStore &store, MessageView &m);

// A view of all of `m` (valid while `m` is unchanged).
MessageView view_of(const SipMessage &m);

}  // namespace sipdiag
