// SPDX-License-Identifier: GPL-2.0-or-later
// Captures taken at several points (issue 11): on both sides of an SBC or a NAT, through a port
// mirror, by a HEP collector. The same SIP message (same Call-ID, CSeq and top Via branch) is then
// seen more than once, and each repeated sighting is one of three things:
//
//   - a retransmission: on the same leg, later (the sender sent it again, RFC 3261 17.1.1.2);
//   - a capture duplicate: on the same leg, the same bytes, within kDuplicateWindowNs of the
//     previous sighting on that leg (the capture saw one packet twice: two mirrored ports, a
//     bonded interface, "any");
//   - a copy at another capture point: on another leg (other addresses or ports).
//
// A leg is the unordered pair of endpoints (address and port of each side) plus the transport,
// so a request and its responses travel on the same leg. Only the first sighting anywhere is the
// logical message: follow-up verdicts and statistics are decided on it alone. docs/multipoint.md
// writes the rule down.
//
// Cost: the adapter computes a leg key and a byte fingerprint per message (the message hashed 8
// bytes a step, see bytes_fingerprint); the correlator keeps, per transaction, the leg of its
// first message (4 bytes) and, only once a second leg appears, a small list of what each leg saw;
// a fixed table of recent sightings (RecentSightings, 64 KB per capture) tells duplicates apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sipdiag {

using FrameNum = std::uint32_t;  // as in core/sipmsg.h
using TimeNs = std::int64_t;

// A duplicate is at most this long after the previous sighting on its leg. Real retransmissions
// come T1 (500 ms) or more apart; duplicates from one capture seeing a packet twice come within a
// millisecond or so.
constexpr TimeNs kDuplicateWindowNs = 10'000'000;

// One side of a leg: an address in any printable or binary form, and a port (0 when none).
struct Endpoint {
    std::string_view address;
    std::uint32_t port = 0;
};

// The leg key: the same for (a, b) and (b, a); `transport` separates UDP, TCP, SCTP... on the
// same addresses and ports. Never 0 (0 means "unknown" in MessageView::leg).
std::uint64_t leg_key(const Endpoint &a, const Endpoint &b, std::uint32_t transport);

// What the correlator keeps of a leg key: 32 bits (fits beside a transaction's other fields;
// two legs of one transaction sharing them is a 2^-32 chance, and only merges the two).
using LegId = std::uint32_t;
// A response within its transaction: status code in the low 16 bits, 16 bits of a hash of its
// To tag above (0 without a tag), so that the responses of two forks are two responses.
using ResponseId = std::uint32_t;
inline LegId leg_id(std::uint64_t leg) {
    return static_cast<LegId>(leg ^ (leg >> 32));
}

// A cheap fingerprint of a message's bytes: its length and a hash of all of them, 8 bytes a step
// (a few hundred instructions for a usual message, small beside reading its headers). Byte copies
// of one packet always agree; two different messages of one transaction (the 180s of two forks,
// which differ only in the To tag) differ unless their 32-bit hashes collide. Never 0 (0 means
// "unknown": no duplicate is ever recognised then).
std::uint64_t bytes_fingerprint(std::string_view bytes);

// How a message relates to the earlier sightings of the same message (Record flags).
enum class Sighting : std::uint8_t {
    first,           // the first sighting anywhere: the logical message
    retransmission,  // same leg, later
    duplicate,       // same leg, same bytes, within kDuplicateWindowNs
    copy,            // another leg
};

// What one leg saw of a transaction: the first sighting of the request on that leg and of each
// response code. Kept only for transactions seen on two legs or more (Transaction::multi_leg), in
// the correlator's leg table.
struct LegSightings {
    LegId leg = 0;
    FrameNum request_frame = 0;
    TimeNs request_time = 0;
    std::uint32_t request_record = UINT32_MAX;
    std::uint8_t response_count = 0;
    ResponseId responses[4] = {0, 0, 0, 0};
    FrameNum frames[4] = {0, 0, 0, 0};
};
constexpr std::size_t kMaxLegs = 8;  // further legs are classified but not remembered

// The last sighting of each (transaction, message, leg), for telling duplicates apart: a
// direct-mapped table of fixed size, so memory stays constant and a lookup costs one probe. Two
// keys sharing a slot within the duplicate window (a busy capture) only lose the older one: its
// duplicate is then taken for a retransmission, never the reverse.
class RecentSightings {
  public:
    // The frame of the previous sighting of `key` when `fingerprint` matches and `time` is within
    // kDuplicateWindowNs of it (0: not a duplicate); then remembers this sighting as the last.
    FrameNum check_and_note(std::uint64_t key, TimeNs time, std::uint64_t fingerprint,
                            FrameNum frame);

  private:
    struct Entry {
        std::uint64_t key = 0;
        std::uint64_t fingerprint = 0;
        TimeNs time = 0;
        FrameNum frame = 0;
    };
    static constexpr std::size_t kSlots = 2048;  // a power of two
    std::vector<Entry> slots_;                   // allocated on the first use
};

}  // namespace sipdiag
