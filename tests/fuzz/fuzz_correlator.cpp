// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the correlator fed with a sequence of SipMessages decoded from the input, with
// tiny table capacities so that every eviction path runs. After each message and at the end,
// everything the Wireshark adapter reads back is read back, and the invariants checked.
//
// Input layout (tests/fuzz/make_seeds.py writes the same format):
//   3 config bytes: [tx cap:3 | entity cap:3] [pending cap:3 | calls cap:3]
//                   [codes per call:3 | window:2]
//   then per message: op byte, a method (request) or status (response), then the fields below;
//   the header lists (op bit 3) end with 0-3 extra headers (core/topics.h) for the topic code.
// Values are mostly picked from small pools (so that messages correlate), a pool byte of 0xFF
// reads a free string instead.
#include "core/correlator.h"
#include "core/topics.h"
#include "fuzz_bytes.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using namespace sipdiag;
using sipdiag::fuzz::Bytes;

constexpr TimeNs kMs = 1'000'000;
constexpr TimeNs kSec = 1'000 * kMs;
constexpr std::size_t kMaxMessages = 512;

const char *const kMethods[] = {"INVITE",  "ACK",     "BYE",       "CANCEL", "PUBLISH", "UPDATE",
                                "OPTIONS", "MESSAGE", "SUBSCRIBE", "PRACK",  "REGISTER"};
const unsigned kCodes[] = {100, 180, 183, 200, 202, 302, 412, 422, 486, 500, 301, 481,
                           401, 407, 423, 415, 420, 421, 488, 489, 491, 494, 503, 606};
const char *const kCallIds[] = {"a84b4c76e66710@pc33", "pub-81726@pc33", "c3@x", ""};
const char *const kBranches[] = {"z9hG4bK74bf9", "z9hG4bK-retry", "z9hG4bK-proxy", "z9hG4bK-4", ""};
const char *const kSentBy[] = {"pc33.atlanta.example.com:5060", "proxy.atlanta.example.com:5060",
                               "PC33.atlanta.example.com:5060", "[2001:db8::1]:5060", ""};
const char *const kSrcs[] = {"192.0.2.10", "192.0.2.1", "2001:db8::1", ""};
const char *const kTags[] = {"1928301774", "a73kszlfl", ""};
const char *const kUris[] = {"sip:bob@biloxi.example.com",
                             "sip:bob@192.0.2.4",
                             "sip:alice@atlanta.example.com",
                             "sip:%62ob@192.0.2.4;transport=UDP",
                             "sip:bob@192.0.2.4:5060",
                             "tel:+1-201-555-0123",
                             "sip:[2001:db8::4]:5070;transport=tcp",
                             ""};
const char *const kContacts[] = {"<sip:bob@192.0.2.4>",
                                 "<sip:a@x>;q=0.5, <sip:b@x>;q=1.0",
                                 "\"Doe, \\\"J\\\"\" <sip:bob@192.0.2.4;transport=udp>;q=0.7",
                                 "sip:bob@192.0.2.4:5060;expires=60",
                                 "*",
                                 "<sip:a@x",
                                 "<sip:bob@192.0.2.4>;q=abc;expires=-1",
                                 ""};
const char *const kSessionExpires[] = {
    "90", "1800", "1800;refresher=uac", "3600;refresher=uas", "abc", "4294967296", " 42 ", ""};
const char *const kMinSe[] = {"1800", "90", "abc", "99999999999", ""};
const char *const kEtags[] = {"dx200xyz", "kwj449x", "abc def", ""};
const char *const kEvents[] = {"presence", "dialog;id=1", "Presence", ""};
const char *const kHeaderValues[] = {
    "Digest realm=\"atlanta.example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
    "algorithm=SHA-256, qop=\"auth\", stale=TRUE",
    "Digest username=\"alice\", realm=\"atlanta.example.com\", response=\"dfe56131d1958046\"",
    "100rel, timer, ,precondition",
    "3600",
    "120 (lunch);duration=60",
    "399 atlanta.example.com \"Incompatible media format\", 370 - \"x\"",
    "application/sdp",
    "presence, dialog",
    "digest;d-alg=md5;q=0.1, tls;q=0.2",
    "abc",
    ""};
const TimeNs kWindows[] = {32 * kSec, 0, kMs, std::numeric_limits<TimeNs>::max()};

// 0 to 2 header values picked from `pool`.
template <std::size_t N>
std::vector<std::string> values(Bytes &in, const char *const (&pool)[N]) {
    std::vector<std::string> out(in.u8() % 3);
    for (std::string &v : out) v = in.pick(pool);
    return out;
}

// Everything the adapter reads for one record.
void read_record(const Correlator &c, const Config &cfg, std::uint32_t i) {
    const Record &r = c.record(i);
    (void)c.method_name(r.method);
    if (!r.repeated()) SIPDIAG_FUZZ_CHECK(c.original_frame(r) == 0);
    // Multi-point: one kind of repeat at most; a duplicate or copy carries nothing of its own.
    const int kinds = !!(r.flags & Record::kRetransmission) + !!(r.flags & Record::kDuplicate) +
                      !!(r.flags & Record::kCopy);
    SIPDIAG_FUZZ_CHECK(kinds <= 1);
    if (r.copy_kind() != 0) {
        SIPDIAG_FUZZ_CHECK(c.original_frame(r) != 0);
        if (r.is_request()) SIPDIAG_FUZZ_CHECK(r.retry_of == 0);
        SIPDIAG_FUZZ_CHECK(c.diagnosis(r) == nullptr);
        SIPDIAG_FUZZ_CHECK(c.response_expert(r) == ExpertKind::none);
    }
    // The fields of a request and of a response share storage: each is read for its kind only
    // (regressions/correlator/record_fields_read_by_kind: the old checks read them all).
    if (r.is_request()) {
        SIPDIAG_FUZZ_CHECK(r.code <= 999 && !r.has_response_time());
        SIPDIAG_FUZZ_CHECK(c.response_time(r) == 0);
    } else {
        SIPDIAG_FUZZ_CHECK(r.code <= 999 && !r.retry_applies());
        SIPDIAG_FUZZ_CHECK(!c.retry_applies(r).has_value());
        if (!r.has_response_time()) SIPDIAG_FUZZ_CHECK(c.response_time(r) == 0);
    }
    const Outcome single = c.outcome(r, false);
    const Outcome complete = c.outcome(r, true);
    SIPDIAG_FUZZ_CHECK(single != Outcome::not_followed);
    SIPDIAG_FUZZ_CHECK(single == complete || single == Outcome::pending);
    (void)outcome_name(complete);
    const auto [recs, n] = c.frame_records(r.frame);
    SIPDIAG_FUZZ_CHECK(n >= 1 && recs != nullptr);
    for (std::size_t k = 0; k < n; ++k) SIPDIAG_FUZZ_CHECK(recs[k].frame == r.frame);
    const Diagnosis *d = c.diagnosis(r);
    if (d == nullptr) {
        SIPDIAG_FUZZ_CHECK(single == Outcome::not_applicable);
        return;
    }
    SIPDIAG_FUZZ_CHECK(d->issues.size() <= 16);
    const RedirectDetail *rd = c.detail<RedirectRule>(*d);
    const PublishDetail *pd = c.detail<ConditionalPublishRule>(*d);
    if (rd) SIPDIAG_FUZZ_CHECK(rd->contacts.size() <= kMaxContacts);
    if (pd) SIPDIAG_FUZZ_CHECK(pd->entity().size() <= kMaxUriLength);
    if (rd) SIPDIAG_FUZZ_CHECK(rd->target().size() <= kMaxUriLength);
    // A response's diagnosis belongs to the rule of its code (or to none: problems only).
    if (rd) SIPDIAG_FUZZ_CHECK(r.code == 302);
    if (pd) SIPDIAG_FUZZ_CHECK(r.code == 412);
    const Verdict v = c.verdict(r, true);
    if (v.outcome == Outcome::followed_ok) SIPDIAG_FUZZ_CHECK(v.decided && v.ok);
    if (v.expert != ExpertKind::none) SIPDIAG_FUZZ_CHECK(v.outcome != Outcome::pending);
    (void)c.response_expert(r);
    for (const Issue &is : d->issues) {
        (void)issue_name(is.kind);
        (void)issue_expert(is.kind);
        SIPDIAG_FUZZ_CHECK(is.detail.size() < 4096);
    }
    // highest_q is known when the retry chose a Contact; that is the fix unless the Contact was
    // the redirected URI itself (a loop) or withdrawn (expires=0). Regression (fuzzer): the check
    // still said "highest_q implies the fix" after loops and withdrawn Contacts stopped being
    // fixes (regressions/correlator/redirect_loop_chosen_contact_not_a_fix).
    if (rd && rd->highest_q) {
        SIPDIAG_FUZZ_CHECK(r.code == 302);
        SIPDIAG_FUZZ_CHECK(d->followup_ok == (rd->retry == RedirectDetail::Target::contact));
        SIPDIAG_FUZZ_CHECK(rd->retry != RedirectDetail::Target::off_contact);
    }
    (void)c.capture_ends_in_window(*d);
    if (const auto *view = c.call(*d)) {
        SIPDIAG_FUZZ_CHECK(view->size() <= cfg.codes_per_call);
        SIPDIAG_FUZZ_CHECK(d->call < std::max<std::size_t>(cfg.calls, 1));
        for (const CallEntry &e : *view) {
            SIPDIAG_FUZZ_CHECK(e.record < c.record_count());
            SIPDIAG_FUZZ_CHECK(c.record(e.record).frame == e.frame);
            SIPDIAG_FUZZ_CHECK(c.record(e.record).code == e.code);
        }
    }
}

// The links between records point at records that exist and agree.
void check_links(const Correlator &c) {
    std::unordered_map<FrameNum, std::vector<std::uint32_t>> by_frame;
    for (std::uint32_t i = 0; i < c.record_count(); ++i) by_frame[c.record(i).frame].push_back(i);
    auto any_at = [&](FrameNum f, auto &&pred) {
        auto it = by_frame.find(f);
        if (it == by_frame.end()) return false;
        for (std::uint32_t i : it->second) {
            if (pred(c.record(i))) return true;
        }
        return false;
    };
    for (std::uint32_t i = 0; i < c.record_count(); ++i) {
        const Record &r = c.record(i);
        // Each kind's own fields (a request's and a response's share storage).
        if (!r.is_request() && r.request_frame != 0) {
            SIPDIAG_FUZZ_CHECK(
                any_at(r.request_frame, [](const Record &q) { return q.is_request(); }));
        }
        if (r.is_request() && r.response_frame != 0) {
            SIPDIAG_FUZZ_CHECK(r.code >= 200);
            SIPDIAG_FUZZ_CHECK(any_at(r.response_frame, [&](const Record &q) {
                return !q.is_request() && q.code == r.code;
            }));
        }
        if (r.repeated() && c.original_frame(r) != 0) {
            SIPDIAG_FUZZ_CHECK(any_at(c.original_frame(r), [&](const Record &q) {
                return q.is_request() == r.is_request() && (r.is_request() || q.code == r.code);
            }));
        }
        if (r.is_request() && r.retry_of != 0) {
            SIPDIAG_FUZZ_CHECK(any_at(r.retry_of, [&](const Record &q) {
                const Diagnosis *d = c.diagnosis(q);
                return !q.is_request() && q.code == c.retry_of_code(r) && d != nullptr &&
                       d->followup_frame == r.frame;
            }));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    Bytes in(data, size);
    Config cfg;
    const std::uint8_t c0 = in.u8();
    const std::uint8_t c1 = in.u8();
    const std::uint8_t c2 = in.u8();
    cfg.transactions = c0 & 7;
    cfg.entities = (c0 >> 3) & 7;
    cfg.pending = c1 & 7;
    cfg.calls = (c1 >> 3) & 7;
    cfg.codes_per_call = c2 & 7;
    cfg.followup_window_ns = kWindows[(c2 >> 3) & 3];
    Correlator corr(cfg);

    FrameNum frame = 0;
    std::uint8_t index = 0;
    TimeNs t = 1'700'000'000 * kSec;
    std::size_t added = 0;
    while (!in.empty() && added < kMaxMessages) {
        const std::uint8_t op = in.u8();
        SipMessage m;
        // frame: bit 2 keeps the previous frame (another message in it), bit 4 goes back.
        if ((op & 4) && added > 0) {
            ++index;
        } else {
            index = 0;
            // Frame numbers start at 1 (0 means "none" in the core). Regression: going back to
            // frame 0 made a retry's followup_frame 0, which reads as "no follow-up yet", and a
            // second retry matched the same response (regressions/correlator/no_frame_zero).
            frame = (op & 16) ? (frame > 1 ? frame - 1 : 1) : frame + 1;
        }
        m.frame = frame;
        m.index = index;
        // Time steps saturate. Regression (regressions/correlator/time_step_saturates): after an
        // absolute time near the largest one, the next step overflowed in the harness itself.
        auto step = [&t](TimeNs d) {
            t = t > std::numeric_limits<TimeNs>::max() - d ? std::numeric_limits<TimeNs>::max()
                                                           : t + d;
        };
        switch (op >> 5) {  // time step
            case 0:
                break;
            case 1:
                step(static_cast<TimeNs>(in.u8()) * kMs);
                break;
            case 2:
                step(static_cast<TimeNs>(in.u8()) * kSec);
                break;
            case 3:
                step(33 * kSec);
                break;
            case 4:
                t = static_cast<TimeNs>(in.u64());  // anything, even far in the past
                break;
            default:
                step(10 * kMs);
                break;
        }
        m.time_ns = t;
        m.is_request = op & 1;
        m.has_cseq = !(op & 2);
        if (m.is_request) {
            m.method = in.pick(kMethods);
            m.cseq_method = m.method;
        } else {
            const std::uint8_t s = in.u8();
            m.status = s == 0xFF ? in.u16() : kCodes[s % (sizeof kCodes / sizeof kCodes[0])];
            m.cseq_method = in.pick(kMethods);
        }
        m.call_id = in.pick(kCallIds);
        m.cseq = in.u8();
        m.branch = in.pick(kBranches);
        m.via_sent_by = in.pick(kSentBy);
        m.src = in.pick(kSrcs);
        m.from_tag = in.pick(kTags);
        m.request_uri = in.pick(kUris);
        m.to_uri = in.pick(kUris);
        // Multi-point captures: the source address stands for the leg, the To URI for the bytes
        // (so the input format and the seeds stay as they are).
        m.leg = m.src.empty() ? 0 : hash_parts({m.src});
        m.bytes_sig = m.to_uri.empty() ? 0 : hash_parts({m.to_uri}) | 1;
        if (op & 8) {  // header lists
            m.contact = values(in, kContacts);
            m.session_expires = values(in, kSessionExpires);
            m.min_se = values(in, kMinSe);
            m.if_match = values(in, kEtags);
            m.etag = values(in, kEtags);
            m.event = values(in, kEvents);
            for (std::uint8_t k = in.u8() % 4; k > 0; --k) {
                const auto h = static_cast<Hdr>(in.u8() % static_cast<unsigned>(Hdr::count_));
                m.headers.add(h, in.pick(kHeaderValues));
            }
        }
        const std::uint32_t idx = corr.add(m);
        ++added;
        SIPDIAG_FUZZ_CHECK(idx + 1 == corr.record_count());
        SIPDIAG_FUZZ_CHECK(corr.transaction_count() <= std::max<std::size_t>(cfg.transactions, 1));
        read_record(corr, cfg, idx);
    }
    // Second pass, as the GUI does once the capture is read.
    for (std::uint32_t i = 0; i < corr.record_count(); ++i) read_record(corr, cfg, i);
    check_links(corr);
    return 0;
}
