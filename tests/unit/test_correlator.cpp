// SPDX-License-Identifier: GPL-2.0-or-later
// Table-driven tests of the correlator (plugin/core/correlator.h): request/response linking,
// retransmissions, the 302/412/422 follow-up rules, outcomes, the call view and the bounded
// tables. Each scenario is a short message sequence built with the helpers below.
#include "core/correlator.h"

#include <gtest/gtest.h>

#include "table_test.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <memory>
#include <optional>
#include <ostream>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipdiag {

// gtest prints enums by name (found by argument-dependent lookup; internal linkage).
static void PrintTo(Outcome o, std::ostream *os) {
    *os << outcome_name(o);
}
static void PrintTo(ExpertKind k, std::ostream *os) {
    *os << "ExpertKind " << static_cast<int>(k);
}
static void PrintTo(IssueKind k, std::ostream *os) {
    const char *name = issue_name(k);
    *os << (name ? name : "issue ") << (name ? "" : std::to_string(static_cast<int>(k)));
}

namespace {

// ---------------------------------------------------------------------------------------------
// Message builders

constexpr TimeNs kMs = 1'000'000;
constexpr TimeNs kSec = 1'000 * kMs;
constexpr TimeNs kT0 = 1'700'000'000 * kSec;  // a realistic capture start (2023)
constexpr TimeNs kWindow = Config{}.followup_window_ns;

const char *const kCallId = "a84b4c76e66710@pc33.atlanta.example.com";
const char *const kFromTag = "1928301774";
const char *const kClient = "pc33.atlanta.example.com:5060";  // the UAC's top Via sent-by
const char *const kClientSrc = "192.0.2.10";
const char *const kProxy = "proxy.atlanta.example.com:5060";  // a proxy's Via
const char *const kProxySrc = "192.0.2.1";
const char *const kServerSrc = "192.0.2.20";
const char *const kBob = "sip:bob@biloxi.example.com";
const char *const kAlice = "sip:alice@atlanta.example.com";

// t in milliseconds from the capture start.
TimeNs at(std::int64_t ms) {
    return kT0 + ms * kMs;
}

// A request of the test call from the client. cseq_method is the method (as in the CSeq line).
SipMessage request(FrameNum frame, TimeNs t, const std::string &method, std::uint32_t cseq,
                   const std::string &branch, const std::string &ruri = kBob) {
    SipMessage m;
    m.frame = frame;
    m.time_ns = t;
    m.src = kClientSrc;
    m.is_request = true;
    m.method = method;
    m.request_uri = ruri;
    m.call_id = kCallId;
    m.has_cseq = true;
    m.cseq = cseq;
    m.cseq_method = method;
    m.branch = branch;
    m.via_sent_by = kClient;
    m.from_tag = kFromTag;
    m.to_uri = ruri;
    return m;
}

// The response `code` to `req`: same Call-ID, CSeq, top Via (branch and sent-by), From tag, To.
SipMessage response(const SipMessage &req, FrameNum frame, TimeNs t, unsigned code) {
    SipMessage m;
    m.frame = frame;
    m.time_ns = t;
    m.src = kServerSrc;
    m.status = code;
    m.call_id = req.call_id;
    m.has_cseq = req.has_cseq;
    m.cseq = req.cseq;
    m.cseq_method = req.cseq_method;
    m.branch = req.branch;
    m.via_sent_by = req.via_sent_by;
    m.from_tag = req.from_tag;
    m.to_uri = req.to_uri;
    return m;
}

// The ACK of a non-2xx final response: same branch and CSeq number, CSeq method ACK.
SipMessage ack(const SipMessage &invite, FrameNum frame, TimeNs t) {
    SipMessage m = request(frame, t, "ACK", invite.cseq, invite.branch, invite.request_uri);
    m.via_sent_by = invite.via_sent_by;
    return m;
}

template <typename F>
SipMessage with(SipMessage m, F &&f) {
    f(m);
    return m;
}

// An unrelated message (OPTIONS keep-alive of another call) that only moves the capture clock.
SipMessage clock_tick(FrameNum frame, TimeNs t) {
    return with(request(frame, t, "OPTIONS", 1, "z9hG4bK-tick" + std::to_string(frame)),
                [](SipMessage &m) { m.call_id = "keepalive@elsewhere"; });
}

SipMessage publish(FrameNum frame, TimeNs t, std::uint32_t cseq, const std::string &branch,
                   const std::string &if_match, const std::string &entity = kAlice,
                   const std::string &event = "presence") {
    return with(request(frame, t, "PUBLISH", cseq, branch, entity), [&](SipMessage &m) {
        m.call_id = "pub-81726@pc33.atlanta.example.com";
        m.event = {event};
        if (!if_match.empty()) m.if_match = {if_match};
    });
}

SipMessage with_etag(SipMessage m, const std::string &etag) {
    m.etag = {etag};
    return m;
}

SipMessage with_contact(SipMessage m, std::vector<std::string> contact) {
    m.contact = std::move(contact);
    return m;
}

SipMessage with_session(SipMessage m, std::vector<std::string> se, std::vector<std::string> min) {
    m.session_expires = std::move(se);
    m.min_se = std::move(min);
    return m;
}

SipMessage with_via(SipMessage m, const std::string &sent_by, const std::string &src) {
    m.via_sent_by = sent_by;
    m.src = src;
    return m;
}

using Messages = std::vector<SipMessage>;

// ---------------------------------------------------------------------------------------------
// The facts of one diagnosed message as these tests read them: its Diagnosis and the detail of
// its rule (whichever rule it is), under one name each.

struct Detail : Diagnosis {
    // 302
    RedirectContacts contacts;
    std::string redirect_target;
    std::optional<bool> highest_q;
    std::string original_uri;
    FrameNum later_request_frame = 0;
    bool later_kept_original = false;
    // 412
    std::string entity, event, if_match, last_etag, new_etag;
    FrameNum last_etag_frame = 0;
    bool if_match_repeated = false;
    // 422
    std::optional<std::uint32_t> session_expires, min_se, retry_session_expires;
    bool retry_has_min_se = false;
    // 401/407
    ChallengeDetail challenge;
    bool retry_has_credentials = false;
    bool credentials_rejected = false;
    // 423
    IntervalDetail interval;
    std::optional<std::uint32_t> retry_expires;
    // Others
    EvidenceDetail evidence;
};

std::shared_ptr<const Detail> detail_of(const Correlator &c, const Record &r) {
    const Diagnosis *diag = c.diagnosis(r);
    if (diag == nullptr) return nullptr;
    auto d = std::make_shared<Detail>();
    static_cast<Diagnosis &>(*d) = *diag;
    if (const RedirectDetail *x = c.detail<RedirectRule>(*diag)) {
        d->contacts = x->contacts;
        d->redirect_target = std::string(x->target());
        d->highest_q = x->highest_q;
        d->original_uri = std::string(x->original_uri());
        d->later_request_frame = x->later_request_frame;
        d->later_kept_original = x->later_kept_original;
    }
    if (const PublishDetail *x = c.detail<ConditionalPublishRule>(*diag)) {
        d->entity = std::string(x->entity());
        d->event = std::string(x->event());
        d->if_match = std::string(x->if_match());
        d->last_etag = std::string(x->last_etag());
        d->last_etag_frame = x->last_etag_frame;
        d->new_etag = std::string(x->new_etag());
        d->if_match_repeated = x->if_match_repeated;
    }
    if (const TimerDetail *x = c.detail<SessionTimerRule>(*diag)) {
        d->session_expires = x->session_expires;
        d->min_se = x->min_se;
        d->retry_session_expires = x->retry_session_expires;
        d->retry_has_min_se = x->retry_has_min_se;
    }
    if (const ChallengeDetail *x = c.detail<ChallengeRule>(*diag)) {
        d->challenge = *x;
        d->retry_has_credentials = x->retry_has_credentials;
        d->credentials_rejected = x->credentials_rejected;
    }
    if (const IntervalDetail *x = c.detail<IntervalRule>(*diag)) {
        d->interval = *x;
        d->retry_expires = x->retry_expires;
    }
    if (const EvidenceDetail *x = c.detail<EvidenceRule>(*diag)) d->evidence = *x;
    return d;
}

// REGISTER (frame 1) -> 401 (frame 2); the retry (frame 3, with or without credentials) is
// answered `code` (frame 4), whose challenge says stale=true when `stale`. Index of the 401: 1.
Messages challenged_then(bool credentials, unsigned code, bool stale = false) {
    const char *challenge =
        "Digest realm=\"atlanta.example.com\", nonce=\"ea9c8e88\", qop=\"auth\"";
    const SipMessage reg =
        request(1, at(0), "REGISTER", 1, "z9hG4bK-reg1", "sip:atlanta.example.com");
    SipMessage c401 = response(reg, 2, at(10), 401);
    c401.headers.add(Hdr::www_authenticate, challenge);
    SipMessage retry = request(3, at(20), "REGISTER", 2, "z9hG4bK-reg2", "sip:atlanta.example.com");
    if (credentials) {
        retry.headers.add(Hdr::authorization,
                          "Digest username=\"alice\", realm=\"atlanta.example.com\", "
                          "nonce=\"ea9c8e88\", uri=\"sip:atlanta.example.com\", "
                          "response=\"0123456789abcdef0123456789abcdef\"");
    }
    SipMessage answer = response(retry, 4, at(30), code);
    if (code == 401) {
        answer.headers.add(Hdr::www_authenticate,
                           std::string(challenge) + (stale ? ", stale=true" : ""));
    }
    return {reg, c401, retry, answer};
}

// INVITE (frame 1) -> 302 (frame 2) with `contact` -> ACK (frame 3); index of the 302 is 1.
Messages redirected(std::vector<std::string> contact) {
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK74bf9");
    return {inv, with_contact(response(inv, 2, at(10), 302), std::move(contact)),
            ack(inv, 3, at(12))};
}

// The client's retry of the redirected INVITE (frame 4) at `ruri`, answered 200 (frame 5).
Messages redirected_then_retry(std::vector<std::string> contact, const std::string &ruri) {
    Messages m = redirected(std::move(contact));
    const SipMessage retry = request(4, at(20), "INVITE", 2, "z9hG4bK-retry", ruri);
    m.push_back(retry);
    m.push_back(response(retry, 5, at(60), 200));
    return m;
}

// INVITE with Session-Expires `se` (frame 1) -> 422 with Min-SE `min` (frame 2) -> ACK.
// What linphone (belle-sip 5.1) does after a 302: a new INVITE in a new dialog (new Call-ID,
// same From tag, same CSeq number) to the first Contact.
Messages redirected_then_new_dialog(std::vector<std::string> contact, const std::string &ruri) {
    Messages m = redirected(std::move(contact));
    SipMessage retry = request(4, at(20), "INVITE", 1, "z9hG4bK-newdlg", ruri);
    retry.call_id = "new-dialog@pc33.atlanta.example.com";
    m.push_back(retry);
    m.push_back(response(retry, 5, at(60), 200));
    return m;
}

Messages too_small(const std::string &se, std::vector<std::string> min) {
    const SipMessage inv = with_session(request(1, at(0), "INVITE", 1, "z9hG4bK-se1"), {se}, {});
    return {inv, with_session(response(inv, 2, at(10), 422), {}, std::move(min)),
            ack(inv, 3, at(12))};
}

// too_small("90", {"1800"}) then the retry (frame 4) with `se`/`min`, answered `code` (frame 5).
Messages too_small_then_retry(std::vector<std::string> se, std::vector<std::string> min,
                              unsigned code, const std::string &method = "INVITE") {
    Messages m = too_small("90", {"1800"});
    const SipMessage retry =
        with_session(request(4, at(20), method, 2, "z9hG4bK-se2"), std::move(se), std::move(min));
    m.push_back(retry);
    m.push_back(response(retry, 5, at(40), code));
    return m;
}

// PUBLISH with SIP-If-Match dx200xyz (frame 1) -> 412 (frame 2); index of the 412 is 1.
Messages conditional_failed() {
    const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz");
    return {pub, response(pub, 2, at(10), 412)};
}

Messages conditional_failed_then(const SipMessage &republish, unsigned code,
                                 const std::string &etag) {
    Messages m = conditional_failed();
    m.push_back(republish);
    SipMessage r = response(republish, 4, republish.time_ns + 30 * kMs, code);
    if (!etag.empty()) r.etag = {etag};
    m.push_back(r);
    return m;
}

// An established call, then 9 session refreshes (UPDATE, one a minute) refused with 422; the
// UA retries none of the first 8 within the window and retries the 9th correctly (frame 21).
Messages refused_refreshes() {
    Messages m;
    FrameNum f = 1;
    const SipMessage inv = request(f++, at(0), "INVITE", 1, "z9hG4bK-inv");
    m.push_back(inv);
    m.push_back(response(inv, f++, at(50), 200));
    for (std::uint32_t k = 0; k < 9; ++k) {
        const SipMessage upd = with_session(
            request(f++, at(60'000 * (k + 1)), "UPDATE", 2 + k, "z9hG4bK-u" + std::to_string(k)),
            {"90"}, {});
        m.push_back(upd);
        m.push_back(with_session(response(upd, f++, upd.time_ns + 10 * kMs, 422), {}, {"1800"}));
    }
    const SipMessage retry = with_session(
        request(f++, at(60'000 * 9 + 100), "UPDATE", 11, "z9hG4bK-fix"), {"1800"}, {"1800"});
    m.push_back(retry);
    m.push_back(response(retry, f++, retry.time_ns + 10 * kMs, 200));
    return m;
}

// INVITE, 100, 180, 181, 183, 302 (frame 6), 302 again (frame 7), ACK, retry (frame 9).
Messages provisionals_then_302() {
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK-prov");
    Messages m{inv,
               response(inv, 2, at(5), 100),
               response(inv, 3, at(50), 180),
               response(inv, 4, at(60), 181),
               response(inv, 5, at(70), 183),
               with_contact(response(inv, 6, at(80), 302), {"<sip:bob@192.0.2.4>"}),
               with_contact(response(inv, 7, at(580), 302), {"<sip:bob@192.0.2.4>"}),
               ack(inv, 8, at(581)),
               request(9, at(600), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4")};
    return m;
}

struct Fed {
    Correlator corr;
    std::vector<std::uint32_t> idx;  // record index of each message
    explicit Fed(const Messages &msgs, Config config = Config{}) : corr(config) {
        for (const SipMessage &m : msgs) idx.push_back(corr.add(m));
    }
};

// ---------------------------------------------------------------------------------------------
// Follow-up scenarios: outcome in single pass and with the capture complete.

using Extra = void (*)(const Correlator &, const Record &, const Detail &);

struct FollowupRow {
    const char *name;
    Messages (*build)();
    std::size_t diagnosed;  // index (in build()'s sequence) of the response under test
    Outcome single_pass;    // outcome(r, false) once every message is added
    Outcome complete;       // outcome(r, true)
    FrameNum followup_frame;
    std::optional<bool> highest_q;
    Extra extra;
};
SIPDIAG_PRINT_ROW(FollowupRow)

const FollowupRow kFollowupRows[] = {
    // ---- 401: the fix is a retry with credentials; the answer to it tells whether they worked
    {"challenge_answered_and_accepted", [] { return challenged_then(true, 200); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_TRUE(d.retry_has_credentials);
         EXPECT_FALSE(d.credentials_rejected);
         EXPECT_TRUE(d.followup_ok);
         EXPECT_FALSE(d.challenge.request_had_credentials);
     }},
    // Regression: a retry whose credentials were challenged again was reported as "wrong fix"
    // with followup_ok still true ("the follow-up applied the fix"), a contradiction seen on
    // Kamailio's 401 after a wrong password (captures/register-401-423.pcapng, frame 2).
    {"regression_challenge_answered_but_rejected", [] { return challenged_then(true, 401); }, 1,
     Outcome::wrong_fix, Outcome::wrong_fix, 3, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_TRUE(d.retry_has_credentials);
         EXPECT_TRUE(d.credentials_rejected);
         EXPECT_FALSE(d.followup_ok);
         // the second 401 knows at once that its request carried credentials
         const auto second = detail_of(c, c.record(3));
         ASSERT_NE(second, nullptr);
         EXPECT_TRUE(second->challenge.request_had_credentials);
         EXPECT_TRUE(second->challenge.credentials_refused());
     }},
    {"challenge_answered_nonce_stale", [] { return challenged_then(true, 401, true); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_FALSE(d.credentials_rejected);  // stale=true: only the nonce was renewed
         EXPECT_TRUE(d.followup_ok);
         const auto second = detail_of(c, c.record(3));
         ASSERT_NE(second, nullptr);
         EXPECT_TRUE(second->challenge.request_had_credentials);
         EXPECT_FALSE(second->challenge.credentials_refused());
     }},
    {"challenge_retried_without_credentials", [] { return challenged_then(false, 401); }, 1,
     Outcome::wrong_fix, Outcome::wrong_fix, 3, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_FALSE(d.retry_has_credentials);
         EXPECT_FALSE(d.credentials_rejected);
     }},
    // ---- 302
    {"redirect_retry_at_contact",
     [] { return redirected_then_retry({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.4"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, true,
     [](const Correlator &c, const Record &r, const Detail &d) {
         EXPECT_EQ(d.redirect_target, "sip:bob@192.0.2.4");
         EXPECT_EQ(d.followup_response_frame, 5u);
         EXPECT_EQ(d.followup_response_code, 200);
         // The client of the request (client_hash()), not a hash written out here: this
         // compared with hash_parts({kClient}), which matched only while that hash was odd.
         EXPECT_EQ(d.client, client_hash(view_of(request(1, at(0), "INVITE", 1, "z9hG4bK1"))));
         EXPECT_EQ(d.cseq, 1u);
         const Record &retry = c.record(3);
         EXPECT_EQ(retry.retry_of, r.frame);
         EXPECT_EQ(c.retry_of_code(retry), 302);
     }},
    {"redirect_retry_equivalent_uri",
     [] {
         return redirected_then_retry({"<sip:%62ob@192.0.2.4;Transport=UDP>;q=0.7"},
                                      "sip:bob@192.0.2.4;transport=udp");
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    {"redirect_retry_not_in_contact_set",
     [] { return redirected_then_retry({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.99"); }, 1,
     Outcome::wrong_fix, Outcome::wrong_fix, 4, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_EQ(d.redirect_target, "sip:bob@192.0.2.99");
         EXPECT_FALSE(d.followup_ok);
     }},
    {"redirect_retry_same_uri_again",  // the client ignored the Contact
     [] { return redirected_then_retry({"<sip:bob@192.0.2.4>"}, kBob); }, 1, Outcome::wrong_fix,
     Outcome::wrong_fix, 4, std::nullopt, nullptr},
    {"redirect_retry_with_port_added",
     [] { return redirected_then_retry({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.4:5060"); }, 1,
     Outcome::wrong_fix, Outcome::wrong_fix, 4, std::nullopt, nullptr},
    {"redirect_retry_with_transport_added",
     [] {
         return redirected_then_retry({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.4;transport=tcp");
     },
     1, Outcome::wrong_fix, Outcome::wrong_fix, 4, std::nullopt, nullptr},
    {"redirect_star_contact_is_no_target",
     [] { return redirected_then_retry({"*"}, "*"); }, 1, Outcome::wrong_fix, Outcome::wrong_fix,
     4, std::nullopt, nullptr},
    {"redirect_lower_q_choice",
     [] { return redirected_then_retry({"<sip:a@x>;q=0.5, <sip:b@x>;q=1.0"}, "sip:a@x"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, false, nullptr},
    {"redirect_highest_q_choice",
     [] { return redirected_then_retry({"<sip:a@x>;q=0.5, <sip:b@x>;q=1.0"}, "sip:b@x"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    {"redirect_missing_q_counts_as_one_not_chosen",
     [] { return redirected_then_retry({"<sip:a@x>", "<sip:b@x>;q=0.9"}, "sip:b@x"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, false, nullptr},
    {"redirect_missing_q_counts_as_one_chosen",
     [] { return redirected_then_retry({"<sip:a@x>", "<sip:b@x>;q=0.9"}, "sip:a@x"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    {"redirect_equal_q_tie_is_highest",
     [] { return redirected_then_retry({"<sip:a@x>;q=0.5, <sip:b@x>;q=0.5"}, "sip:b@x"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    {"redirect_retry_answered_again_by_302",  // a chain of redirects: the retry itself was fine
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         const SipMessage retry = request(4, at(20), "INVITE", 2, "z9hG4bK-r2", "sip:bob@192.0.2.4");
         m.push_back(retry);
         m.push_back(with_contact(response(retry, 5, at(30), 302), {"<sip:bob@192.0.2.5>"}));
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    {"redirect_proxy_copy_is_not_the_client_retry",
     [] {
         // Only the proxy's forwarded copy (proxy Via on top) is seen: not the client's retry.
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(with_via(request(4, at(20), "INVITE", 2, "z9hG4bK-proxy", "sip:bob@192.0.2.4"),
                              kProxy, kProxySrc));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &) {
         EXPECT_EQ(c.record(3).retry_of, 0u);
     }},
    {"redirect_client_retry_then_proxy_copy",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(20), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4"));
         m.push_back(with_via(request(5, at(21), "INVITE", 2, "z9hG4bK-proxy", "sip:bob@192.0.2.4"),
                              kProxy, kProxySrc));
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 4, true,
     [](const Correlator &c, const Record &, const Detail &) {
         EXPECT_EQ(c.record(3).retry_of, 2u);
         EXPECT_EQ(c.record(4).retry_of, 0u);
     }},
    {"redirect_proxy_copy_then_client_retry",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(with_via(request(4, at(20), "INVITE", 2, "z9hG4bK-proxy", "sip:bob@192.0.2.9"),
                              kProxy, kProxySrc));
         m.push_back(request(5, at(21), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4"));
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 5, true, nullptr},
    {"redirect_other_method_is_not_retry",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(20), "MESSAGE", 2, "z9hG4bK-msg", "sip:bob@192.0.2.4"));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"redirect_same_cseq_is_not_retry",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(20), "INVITE", 1, "z9hG4bK-other", "sip:bob@192.0.2.4"));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"redirect_same_branch_is_not_retry",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(20), "INVITE", 2, "z9hG4bK74bf9", "sip:bob@192.0.2.4"));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"redirect_other_dialog_is_not_retry",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(with(request(4, at(20), "INVITE", 2, "z9hG4bK-new", "sip:bob@192.0.2.4"),
                          [](SipMessage &x) { x.from_tag = "other-tag"; }));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"redirect_followup_outside_window",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(10 + kWindow / kMs + 1), "INVITE", 2, "z9hG4bK-late",
                             "sip:bob@192.0.2.4"));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"redirect_followup_at_window_edge",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(request(4, at(10 + kWindow / kMs), "INVITE", 2, "z9hG4bK-edge",
                             "sip:bob@192.0.2.4"));
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 4, true, nullptr},
    // Once the capture is read the verdict is "not followed"; a capture that ends inside the
    // window is flagged next to it (capture_ends_in_window).
    {"redirect_not_followed_capture_too_short",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(clock_tick(4, at(5'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_TRUE(c.capture_ends_in_window(d));
     }},
    {"redirect_not_followed_just_inside_window",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(clock_tick(4, at(10 + kWindow / kMs - 1)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_TRUE(c.capture_ends_in_window(d));
     }},
    {"redirect_not_followed_after_window",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.push_back(clock_tick(4, at(10 + kWindow / kMs)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_FALSE(c.capture_ends_in_window(d));
     }},
    {"redirect_request_missing",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK74bf9");
         Messages m{with_contact(response(inv, 2, at(10), 302), {"<sip:bob@192.0.2.4>"})};
         m.push_back(clock_tick(3, at(60'000)));
         return m;
     },
     0, Outcome::request_missing, Outcome::request_missing, 0, std::nullopt,
     [](const Correlator &, const Record &r, const Detail &d) {
         EXPECT_EQ(r.request_frame, 0u);
         EXPECT_EQ(d.contacts.total, 1u);  // still diagnosed
     }},
    {"redirect_request_missing_then_retry",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK74bf9");
         return Messages{with_contact(response(inv, 2, at(10), 302), {"<sip:bob@192.0.2.4>"}),
                         request(3, at(20), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4")};
     },
     0, Outcome::followed_ok, Outcome::followed_ok, 3, true, nullptr},
    {"redirect_retransmitted_response_first_copy",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.insert(m.begin() + 2, with(m[1], [](SipMessage &x) {
                      x.frame = 3;
                      x.time_ns = at(11);
                  }));
         m[3].frame = 4;  // the ACK
         m.push_back(request(5, at(20), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4"));
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 5, true, nullptr},
    {"redirect_retransmitted_response_copy",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         m.insert(m.begin() + 2, with(m[1], [](SipMessage &x) {
                      x.frame = 3;
                      x.time_ns = at(11);
                  }));
         m[3].frame = 4;
         m.push_back(request(5, at(20), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4"));
         return m;
     },
     2, Outcome::not_applicable, Outcome::not_applicable, 0, std::nullopt,
     [](const Correlator &c, const Record &r, const Detail &d) {
         EXPECT_TRUE(r.retransmission());
         EXPECT_EQ(c.original_frame(r), 2u);
         EXPECT_EQ(d.contacts.total, 1u);  // the copy is still explained
     }},
    {"redirect_several_messages_in_one_frame",
     [] {
         Messages m = redirected({"<sip:bob@192.0.2.4>"});
         // The ACK and the retry share TCP frame 3.
         SipMessage retry = request(3, at(12), "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4");
         retry.index = 1;
         m.push_back(retry);
         return m;
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 3, true,
     [](const Correlator &c, const Record &, const Detail &) {
         const auto [recs, n] = c.frame_records(3);
         ASSERT_EQ(n, 2u);
         EXPECT_EQ(recs[0].index, 0);
         EXPECT_EQ(c.method_name(recs[0].method), "ACK");
         EXPECT_EQ(recs[1].index, 1);
         EXPECT_EQ(recs[1].retry_of, 2u);
     }},
    // ---- 412
    {"conditional_recovered",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", ""), 200, "kwj449x");
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_EQ(d.entity, kAlice);
         EXPECT_EQ(d.event, "presence");
         EXPECT_EQ(d.if_match, "dx200xyz");
         EXPECT_EQ(d.new_etag, "kwj449x");
         EXPECT_FALSE(d.if_match_repeated);
         EXPECT_EQ(d.followup_response_frame, 4u);
         EXPECT_EQ(d.followup_response_code, 200);
         EXPECT_EQ(c.retry_of_code(c.record(2)), 412);
     }},
    {"conditional_if_match_repeated",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", "dx200xyz"), 412, "");
     },
     1, Outcome::wrong_fix, Outcome::wrong_fix, 3, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) { EXPECT_TRUE(d.if_match_repeated); }},
    {"conditional_if_match_repeated_before_answer",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(20), 6, "z9hG4bK-pub2", "dx200xyz"));
         return m;
     },
     1, Outcome::wrong_fix, Outcome::wrong_fix, 3, std::nullopt, nullptr},
    {"conditional_recovery_awaiting_answer",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(20), 6, "z9hG4bK-pub2", ""));
         return m;
     },
     1, Outcome::pending, Outcome::pending, 3, std::nullopt, nullptr},
    {"conditional_2xx_without_new_etag",
     [] { return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", ""), 200, ""); },
     1, Outcome::wrong_fix, Outcome::wrong_fix, 3, std::nullopt, nullptr},
    {"conditional_other_entity_is_not_recovery",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(20), 6, "z9hG4bK-pub2", "", "sip:bob@atlanta.example.com"));
         m.push_back(clock_tick(4, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"conditional_other_event_is_not_recovery",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(20), 6, "z9hG4bK-pub2", "", kAlice, "dialog"));
         m.push_back(clock_tick(4, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"conditional_other_client_is_not_recovery",
     [] {
         Messages m = conditional_failed();
         m.push_back(with_via(publish(3, at(20), 1, "z9hG4bK-pubX", ""), "pc99.atlanta:5060",
                              "192.0.2.99"));
         m.push_back(clock_tick(4, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"conditional_recovery_outside_window",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(11 + kWindow / kMs), 6, "z9hG4bK-pub2", ""));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"conditional_last_etag_from_earlier_2xx",
     [] {
         const SipMessage initial = publish(1, at(0), 1, "z9hG4bK-p1", "");
         const SipMessage refresh = publish(3, at(1'000), 2, "z9hG4bK-p2", "dx200xyz");
         const SipMessage again = publish(5, at(1'100), 3, "z9hG4bK-p3", "");
         return Messages{initial,
                         with_etag(response(initial, 2, at(30), 200), "dx200xyz"),
                         refresh,
                         response(refresh, 4, at(1'020), 412),
                         again,
                         with_etag(response(again, 6, at(1'130), 200), "kwj449x")};
     },
     3, Outcome::followed_ok, Outcome::followed_ok, 5, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_EQ(d.last_etag, "dx200xyz");
         EXPECT_EQ(d.last_etag_frame, 2u);
         EXPECT_EQ(d.if_match, "dx200xyz");
         EXPECT_EQ(d.new_etag, "kwj449x");
     }},
    {"conditional_request_missing_entity_from_to",
     [] {
         const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz");
         return Messages{response(pub, 2, at(10), 412), clock_tick(3, at(60'000))};
     },
     0, Outcome::request_missing, Outcome::request_missing, 0, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_EQ(d.entity, kAlice);  // from the To header
         EXPECT_TRUE(d.if_match.empty());
     }},
    {"conditional_request_missing_then_recovery",
     [] {
         const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz");
         const SipMessage again = publish(3, at(20), 6, "z9hG4bK-pub2", "");
         return Messages{response(pub, 2, at(10), 412), again,
                         with_etag(response(again, 4, at(40), 200), "kwj449x")};
     },
     0, Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_EQ(d.entity, kAlice);
         EXPECT_EQ(d.event, "");  // matched by To URI alone
         EXPECT_EQ(d.new_etag, "kwj449x");
     }},
    {"conditional_request_missing_event_in_412_ignored",
     [] {
         const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz");
         SipMessage r412 = response(pub, 2, at(10), 412);
         r412.event = {"presence"};
         const SipMessage again = publish(3, at(20), 6, "z9hG4bK-pub2", "");
         return Messages{r412, again, with_etag(response(again, 4, at(40), 200), "kwj449x")};
     },
     0, Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt, nullptr},
    // Regression: a 412 without its PUBLISH is filed under its To URI cut to kMaxUriLength, but
    // the re-PUBLISH looked it up under the whole To URI, so a long one never matched.
    {"regression_conditional_request_missing_long_to_uri",
     [] {
         const std::string entity = "sip:" + std::string(600, 'a') + "@atlanta.example.com";
         const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz", entity);
         const SipMessage again = publish(3, at(20), 6, "z9hG4bK-pub2", "", entity);
         return Messages{response(pub, 2, at(10), 412), again,
                         with_etag(response(again, 4, at(40), 200), "kwj449x")};
     },
     0, Outcome::followed_ok, Outcome::followed_ok, 3, std::nullopt, nullptr},
    {"conditional_request_missing_other_entity",
     [] {
         const SipMessage pub = publish(1, at(0), 5, "z9hG4bK-pub1", "dx200xyz");
         return Messages{response(pub, 2, at(10), 412),
                         publish(3, at(20), 6, "z9hG4bK-pub2", "", "sip:carol@atlanta.example.com")};
     },
     0, Outcome::request_missing, Outcome::request_missing, 0, std::nullopt, nullptr},
    // ---- 422
    {"session_interval_fixed",
     [] { return too_small_then_retry({"1800"}, {"1800"}, 200); }, 1, Outcome::followed_ok,
     Outcome::followed_ok, 4, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_EQ(d.session_expires, std::optional<std::uint32_t>(90));
         EXPECT_EQ(d.min_se, std::optional<std::uint32_t>(1800));
         EXPECT_EQ(d.retry_session_expires, std::optional<std::uint32_t>(1800));
         EXPECT_TRUE(d.retry_has_min_se);
         EXPECT_EQ(d.followup_response_code, 200);
         EXPECT_EQ(c.retry_of_code(c.record(3)), 422);
     }},
    {"session_interval_above_min_se_with_refresher",
     [] { return too_small_then_retry({"3600;refresher=uac"}, {"1800"}, 200); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, std::nullopt, nullptr},
    {"session_interval_fixed_by_update",
     [] { return too_small_then_retry({"1800"}, {"1800"}, 200, "UPDATE"); }, 1,
     Outcome::followed_ok, Outcome::followed_ok, 4, std::nullopt, nullptr},
    {"session_interval_still_too_small",
     [] { return too_small_then_retry({"900"}, {"1800"}, 200); }, 1, Outcome::wrong_fix,
     Outcome::wrong_fix, 4, std::nullopt, nullptr},
    {"session_interval_retry_without_min_se",
     [] { return too_small_then_retry({"1800"}, {}, 200); }, 1, Outcome::wrong_fix,
     Outcome::wrong_fix, 4, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) { EXPECT_FALSE(d.retry_has_min_se); }},
    {"session_interval_retry_without_session_expires",
     [] { return too_small_then_retry({}, {"1800"}, 200); }, 1, Outcome::wrong_fix,
     Outcome::wrong_fix, 4, std::nullopt, nullptr},
    {"session_interval_second_422",
     [] { return too_small_then_retry({"1800"}, {"1800"}, 422); }, 1, Outcome::wrong_fix,
     Outcome::wrong_fix, 4, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_EQ(d.followup_response_code, 422);
     }},
    {"session_interval_other_method_is_not_retry",
     [] {
         Messages m = too_small("90", {"1800"});
         m.push_back(request(4, at(20), "BYE", 2, "z9hG4bK-bye"));
         m.push_back(clock_tick(5, at(40'000)));
         return m;
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt, nullptr},
    {"session_interval_request_missing",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK-se1");
         return Messages{with_session(response(inv, 2, at(10), 422), {}, {"1800"})};
     },
     0, Outcome::request_missing, Outcome::request_missing, 0, std::nullopt,
     [](const Correlator &, const Record &, const Detail &d) {
         EXPECT_FALSE(d.session_expires.has_value());
         EXPECT_EQ(d.min_se, std::optional<std::uint32_t>(1800));
     }},
    // ---- not diagnosed
    {"ok_response_not_applicable",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 200)};
     },
     1, Outcome::not_applicable, Outcome::not_applicable, 0, std::nullopt, nullptr},
    {"request_not_applicable",
     [] { return Messages{request(1, at(0), "INVITE", 1, "z9hG4bK1")}; }, 0,
     Outcome::not_applicable, Outcome::not_applicable, 0, std::nullopt, nullptr},
    // ---- regressions (bugs found by these tests, fixed in plugin/core/correlator.cpp)
    // Regression: the per-call list of responses waiting for a retry kept the 8 oldest and
    // dropped newer ones, so after 8 refused, never-retried session refreshes in one call the
    // 9th 422 was no longer tracked and its correct retry was reported "not followed".
    {"regression_ninth_422_in_a_call_still_tracked", refused_refreshes, 19, Outcome::followed_ok,
     Outcome::followed_ok, 21, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &) {
         const Record &first = c.record(3);  // the first refused refresh
         EXPECT_EQ(c.outcome(first, true), Outcome::not_followed);
     }},
    // Regression: a PUBLISH was only ever checked as the recovery of a 412, so a 302 to a
    // PUBLISH never found its retry.
    {"regression_redirect_of_publish_followed",
     [] {
         const std::string target = "sip:alice@presence2.atlanta.example.com";
         const SipMessage pub = publish(1, at(0), 1, "z9hG4bK-p1", "");
         SipMessage retry = publish(3, at(20), 2, "z9hG4bK-p2", "", target);
         retry.to_uri = kAlice;  // the To header keeps the address of record
         return Messages{pub, with_contact(response(pub, 2, at(10), 302), {"<" + target + ">"}),
                         retry, with_etag(response(retry, 4, at(40), 200), "kwj449x")};
     },
     1, Outcome::followed_ok, Outcome::followed_ok, 3, true, nullptr},
    // Regression: time differences were computed with a plain signed subtraction; timestamps
    // far apart (a crafted pcapng: the adapter maps secs*1e9 onto +-9.2e18) overflowed, which is
    // undefined behaviour and in practice wrapped to a negative delay inside the window.
    {"regression_times_far_apart_do_not_wrap",
     [] {
         const TimeNs early = -9'000'000'000'000'000'000;
         const TimeNs late = 9'000'000'000'000'000'000;
         const SipMessage inv = request(1, early, "INVITE", 1, "z9hG4bK74bf9");
         return Messages{inv,
                         with_contact(response(inv, 2, early + 10 * kMs, 302), {"<sip:b@x>"}),
                         ack(inv, 3, early + 12 * kMs),
                         request(4, late, "INVITE", 2, "z9hG4bK-retry", "sip:b@x")};
     },
     1, Outcome::pending, Outcome::not_followed, 0, std::nullopt,
     [](const Correlator &c, const Record &, const Detail &d) {
         EXPECT_FALSE(c.capture_ends_in_window(d));
     }},
    // Regression: a transaction remembered only its first 4 response codes; after 4 distinct
    // provisionals a retransmitted final response was not recognised, so the 302 was diagnosed
    // and tracked twice (two call-view entries, the copy reported "not followed").
    {"regression_final_after_four_provisionals_first_copy", provisionals_then_302, 5,
     Outcome::followed_ok, Outcome::followed_ok, 9, true,
     [](const Correlator &c, const Record &, const Detail &d) {
         ASSERT_NE(c.call(d), nullptr);
         EXPECT_EQ(c.call(d)->size(), 1u);
     }},
    {"regression_final_after_four_provisionals_copy", provisionals_then_302, 6,
     Outcome::not_applicable, Outcome::not_applicable, 0, std::nullopt,
     [](const Correlator &c, const Record &r, const Detail &) {
         EXPECT_TRUE(r.retransmission());
         EXPECT_EQ(c.original_frame(r), 6u);
     }},
    {"uncorrelated_302_still_explained",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{with(with_contact(response(inv, 2, at(10), 302), {"<sip:a@x>;q=0.5"}),
                              [](SipMessage &m) { m.call_id.clear(); })};
     },
     0, Outcome::not_applicable, Outcome::not_applicable, 0, std::nullopt,
     [](const Correlator &, const Record &r, const Detail &d) {
         EXPECT_TRUE(r.flags & Record::kUncorrelated);
         ASSERT_EQ(d.contacts.size(), 1u);
         EXPECT_EQ(d.contacts[0].q_milli, std::optional<std::uint16_t>(500));
     }},
};

class FollowupTest : public testing::TestWithParam<FollowupRow> {};

TEST_P(FollowupTest, Outcome) {
    const FollowupRow &row = GetParam();
    const Fed fed(row.build());
    ASSERT_LT(row.diagnosed, fed.idx.size());
    const Record &r = fed.corr.record(fed.idx[row.diagnosed]);
    EXPECT_EQ(fed.corr.outcome(r, false), row.single_pass)
        << outcome_name(fed.corr.outcome(r, false));
    EXPECT_EQ(fed.corr.outcome(r, true), row.complete) << outcome_name(fed.corr.outcome(r, true));
    const auto d = detail_of(fed.corr, r);
    if (row.single_pass == Outcome::not_applicable && row.extra == nullptr) return;
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->followup_frame, row.followup_frame);
    EXPECT_EQ(d->highest_q, row.highest_q);
    if (row.extra) row.extra(fed.corr, r, *d);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, FollowupTest, testing::ValuesIn(kFollowupRows),
                         row_name<FollowupRow>);

// ---------------------------------------------------------------------------------------------
// What the core decides for the Wireshark layer, which only maps it: the expert kind of the
// response and of the verdict, and the one-line summary (capture complete), in both languages.

struct DecisionRow {
    const char *name;
    Messages (*build)();
    std::size_t diagnosed;
    ExpertKind response;  // Correlator::response_expert
    ExpertKind verdict;   // Correlator::verdict(r, true).expert
    bool decided;         // Verdict::decided: whether sipdiag.followup_ok is shown
    const char *summary_en;
    const char *summary_fr;
    bool retry_applies;       // Correlator::retry_applies(the retry): sipdiag.retry_ok
    ExpertKind retry_expert;  // ...and the expert info the retry itself gets
};
SIPDIAG_PRINT_ROW(DecisionRow)

const DecisionRow kDecisionRows[] = {
    {"redirect_followed",
     [] { return redirected_then_retry({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.4"); }, 1,
     ExpertKind::redirect, ExpertKind::followup_applied, true,
     "302 Moved Temporarily: 1 Contact sip:bob@192.0.2.4; retried at sip:bob@192.0.2.4, the "
     "Contact: fixed (frame 4)",
     "302 Moved Temporarily : 1 Contact sip:bob@192.0.2.4 ; relancé vers sip:bob@192.0.2.4, le "
     "Contact : corrigé (trame 4)",
     true, ExpertKind::none},
    {"redirect_off_contact",
     [] {
         return redirected_then_retry({"<sip:bob@192.0.2.4>;q=0.5", "<sip:carol@192.0.2.5>"},
                                      "sip:bob@192.0.2.99");
     },
     1, ExpertKind::redirect, ExpertKind::redirect_off_contact, true,
     "302 Moved Temporarily: 2 Contacts, best sip:carol@192.0.2.5 (q=1); retried at "
     "sip:bob@192.0.2.99, none of them: wrong fix (frame 4)",
     "302 Moved Temporarily : 2 Contacts, meilleur sip:carol@192.0.2.5 (q=1) ; relancé vers "
     "sip:bob@192.0.2.99, aucun d'eux : mauvaise correction (trame 4)",
     false, ExpertKind::redirect_off_contact},
    {"redirect_lower_q",
     [] {
         return redirected_then_retry({"<sip:bob@192.0.2.4>;q=0.5", "<sip:carol@192.0.2.5>;q=0.75"},
                                      "sip:bob@192.0.2.4");
     },
     1, ExpertKind::redirect, ExpertKind::followup_applied, true,
     "302 Moved Temporarily: 2 Contacts, best sip:carol@192.0.2.5 (q=0.75); retried at "
     "sip:bob@192.0.2.4, not the best one: fixed (frame 4)",
     "302 Moved Temporarily : 2 Contacts, meilleur sip:carol@192.0.2.5 (q=0,75) ; relancé vers "
     "sip:bob@192.0.2.4, pas le meilleur : corrigé (trame 4)",
     true, ExpertKind::none},
    {"conditional_recovered",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", ""), 200, "kwj449x");
     },
     1, ExpertKind::conditional_failed, ExpertKind::followup_applied, true,
     "412 Conditional Request Failed: If-Match dx200xyz is stale; a fresh PUBLISH got a new tag "
     "kwj449x: recovered (frame 3)",
     "412 Conditional Request Failed : If-Match dx200xyz est périmé ; un PUBLISH neuf a obtenu "
     "l'étiquette kwj449x : rétabli (trame 3)",
     true, ExpertKind::none},
    {"conditional_if_match_repeated",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", "dx200xyz"), 412, "");
     },
     1, ExpertKind::conditional_failed, ExpertKind::if_match_repeated, true,
     "412 Conditional Request Failed: If-Match dx200xyz is stale; the retry sent If-Match again: "
     "wrong fix (frame 3)",
     "412 Conditional Request Failed : If-Match dx200xyz est périmé ; la relance a renvoyé "
     "If-Match : mauvaise correction (trame 3)",
     false, ExpertKind::if_match_repeated},
    // The 412 re-derivation that lived in the Wireshark layer: a fresh PUBLISH without an answer
    // yet is not decided, so sipdiag.followup_ok must not be shown.
    {"conditional_recovery_awaiting_answer",
     [] {
         Messages m = conditional_failed();
         m.push_back(publish(3, at(20), 6, "z9hG4bK-pub2", ""));
         return m;
     },
     1, ExpertKind::conditional_failed, ExpertKind::none, false,
     "412 Conditional Request Failed: If-Match dx200xyz is stale; a fresh PUBLISH: pending, the "
     "answer to the retry is not seen yet",
     "412 Conditional Request Failed : If-Match dx200xyz est périmé ; un PUBLISH neuf : en "
     "attente de la réponse à la relance",
     true, ExpertKind::none},
    {"conditional_2xx_without_new_etag",
     [] { return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", ""), 200, ""); }, 1,
     ExpertKind::conditional_failed, ExpertKind::etag_not_recovered, true,
     "412 Conditional Request Failed: If-Match dx200xyz is stale; a fresh PUBLISH got 200 without "
     "a new tag: wrong fix (frame 3)",
     "412 Conditional Request Failed : If-Match dx200xyz est périmé ; un PUBLISH neuf a reçu 200 "
     "sans nouvelle étiquette : mauvaise correction (trame 3)",
     true, ExpertKind::none},
    {"session_interval_fixed", [] { return too_small_then_retry({"1800"}, {"1800"}, 200); }, 1,
     ExpertKind::interval_too_small, ExpertKind::followup_applied, true,
     "422 Session Interval Too Small: asked 90 s, the server wants at least 1800 s; the retry "
     "asked 1800 s with Min-SE: fixed (frame 4)",
     "422 Session Interval Too Small : demandé 90 s, le serveur veut au moins 1800 s ; la relance "
     "a demandé 1800 s avec Min-SE : corrigé (trame 4)",
     true, ExpertKind::none},
    // The 422 wrong-fix sub-case the render code used to pick.
    {"session_interval_still_too_small",
     [] { return too_small_then_retry({"900"}, {"1800"}, 200); }, 1, ExpertKind::interval_too_small,
     ExpertKind::retry_still_too_small, true,
     "422 Session Interval Too Small: asked 90 s, the server wants at least 1800 s; the retry "
     "asked 900 s with Min-SE: wrong fix (frame 4)",
     "422 Session Interval Too Small : demandé 90 s, le serveur veut au moins 1800 s ; la relance "
     "a demandé 900 s avec Min-SE : mauvaise correction (trame 4)",
     false, ExpertKind::retry_still_too_small},
    {"session_interval_retry_without_min_se",
     [] { return too_small_then_retry({"1800"}, {}, 200); }, 1, ExpertKind::interval_too_small,
     ExpertKind::retry_missing_min_se, true,
     "422 Session Interval Too Small: asked 90 s, the server wants at least 1800 s; the retry "
     "asked 1800 s without Min-SE: wrong fix (frame 4)",
     "422 Session Interval Too Small : demandé 90 s, le serveur veut au moins 1800 s ; la relance "
     "a demandé 1800 s sans Min-SE : mauvaise correction (trame 4)",
     false, ExpertKind::retry_missing_min_se},
    {"session_interval_second_422", [] { return too_small_then_retry({"1800"}, {"1800"}, 422); }, 1,
     ExpertKind::interval_too_small, ExpertKind::retry_still_too_small, true,
     "422 Session Interval Too Small: asked 90 s, the server wants at least 1800 s; the retry "
     "asked 1800 s with Min-SE, refused again: wrong fix (frame 4)",
     "422 Session Interval Too Small : demandé 90 s, le serveur veut au moins 1800 s ; la relance "
     "a demandé 1800 s avec Min-SE, refusée à nouveau : mauvaise correction (trame 4)",
     true, ExpertKind::none},
    // Regression: linphone's retry in a new dialog was "not followed" plus a "later call went to
    // the temporary Contact" (captures/agents/linphone-udp.pcapng).
    {"redirect_retry_in_new_dialog",
     [] { return redirected_then_new_dialog({"<sip:bob@192.0.2.4>"}, "sip:bob@192.0.2.4"); }, 1,
     ExpertKind::redirect, ExpertKind::followup_applied, true,
     "302 Moved Temporarily: 1 Contact sip:bob@192.0.2.4; retried at sip:bob@192.0.2.4 in a new "
     "dialog, the Contact: fixed (frame 4)",
     "302 Moved Temporarily : 1 Contact sip:bob@192.0.2.4 ; relancé vers sip:bob@192.0.2.4 dans "
     "un nouveau dialogue, le Contact : corrigé (trame 4)",
     true, ExpertKind::none},
    // A later call of the same client to another URI in a new dialog is not the retry.
    {"redirect_new_dialog_elsewhere_is_no_retry",
     [] {
         Messages m = redirected_then_new_dialog({"<sip:bob@192.0.2.4>"}, "sip:carol@192.0.2.9");
         m.push_back(clock_tick(6, at(40'000)));
         return m;
     },
     1, ExpertKind::redirect, ExpertKind::redirect_not_followed, false,
     "302 Moved Temporarily: 1 Contact sip:bob@192.0.2.4; no retry: not followed", nullptr, false,
     ExpertKind::none},
    // Regression: a 302 whose Contact is the URI it redirected, retried there, was "fixed"
    // (captures/agents/baresip-shapes.pcapng: baresip follows such a loop 15 times).
    {"redirect_loop", [] { return redirected_then_retry({"<" + std::string(kBob) + ">"}, kBob); },
     1, ExpertKind::redirect, ExpertKind::redirect_loop, true,
     "302 Moved Temporarily: 1 Contact sip:bob@biloxi.example.com; retried at "
     "sip:bob@biloxi.example.com, the URI just redirected: a redirect loop: wrong fix (frame 4)",
     nullptr, false, ExpertKind::redirect_loop},
    // Regression: a retry at a Contact the 302 withdrew (expires=0) was "fixed"
    // (captures/agents/twinkle-shapes.pcapng, frame 5).
    {"redirect_expired_contact",
     [] {
         return redirected_then_retry({"<sip:bob@192.0.2.4>;expires=0", "<sip:carol@192.0.2.5>"},
                                      "sip:bob@192.0.2.4");
     },
     1, ExpertKind::redirect, ExpertKind::redirect_expired_contact, true, nullptr, nullptr, false,
     ExpertKind::redirect_expired_contact},
    // Regression: a 422 nobody retried got "the retry still asks for an interval below Min-SE"
    // (baresip and twinkle have no session timers).
    {"session_interval_not_followed",
     [] {
         Messages m = too_small("90", {"1800"});
         m.push_back(clock_tick(4, at(40'000)));
         return m;
     },
     1, ExpertKind::interval_too_small, ExpertKind::timer_not_followed, false,
     "422 Session Interval Too Small: asked 90 s, the server wants at least 1800 s; no retry: not "
     "followed",
     nullptr, false, ExpertKind::none},
    {"challenge_answered", [] { return challenged_then(true, 200); }, 1,
     ExpertKind::challenge_answered, ExpertKind::followup_applied, true, nullptr, nullptr, true,
     ExpertKind::none},
    {"challenge_rejected", [] { return challenged_then(true, 401); }, 1,
     ExpertKind::credentials_rejected, ExpertKind::none, true, nullptr, nullptr, true,
     ExpertKind::none},
    {"challenge_without_credentials", [] { return challenged_then(false, 401); }, 1,
     ExpertKind::challenge, ExpertKind::none, true, nullptr, nullptr, false,
     ExpertKind::retry_without_credentials},
};

class DecisionTest : public testing::TestWithParam<DecisionRow> {};

TEST_P(DecisionTest, ExpertsAndSummary) {
    const DecisionRow &row = GetParam();
    const Fed fed(row.build());
    const Record &r = fed.corr.record(fed.idx[row.diagnosed]);
    EXPECT_EQ(fed.corr.response_expert(r), row.response);
    const Verdict v = fed.corr.verdict(r, true);
    EXPECT_EQ(v.expert, row.verdict);
    EXPECT_EQ(v.decided, row.decided);
    const char *reason = r.code == 302   ? "Moved Temporarily"
                         : r.code == 412 ? "Conditional Request Failed"
                         : r.code == 422 ? "Session Interval Too Small"
                                         : "Unauthorized";
    if (row.summary_en) {
        EXPECT_EQ(fed.corr.summary(r, true, Language::en, reason), row.summary_en);
    }
    if (row.summary_fr) {
        EXPECT_EQ(fed.corr.summary(r, true, Language::fr, reason), row.summary_fr);
    }
    // The retry carries its own judgement, known as soon as it is read (single pass, live).
    const Diagnosis *d = fed.corr.diagnosis(r);
    ASSERT_NE(d, nullptr);
    if (d->followup_frame == 0) return;
    const auto [retry, n] = fed.corr.frame_records(d->followup_frame);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(fed.corr.retry_applies(*retry), std::optional<bool>(row.retry_applies));
    EXPECT_EQ(fed.corr.retry_expert(*retry), row.retry_expert);
    EXPECT_EQ(fed.corr.retry_applies(r), std::nullopt);  // not a retry
}

INSTANTIATE_TEST_SUITE_P(Scenarios, DecisionTest, testing::ValuesIn(kDecisionRows),
                         row_name<DecisionRow>);

// Codes no rule claims get their expert info by meaning, never by class alone.
struct FailureExpertRow {
    const char *name;
    unsigned code;
    bool retry_after;
    ExpertKind want;
};
SIPDIAG_PRINT_ROW(FailureExpertRow)

const FailureExpertRow kFailureExpertRows[] = {
    {"ok_none", 200, false, ExpertKind::none},
    {"redirect_note", 301, false, ExpertKind::failure_note},
    {"cancelled_chat", 487, false, ExpertKind::failure_chat},
    {"busy_note", 486, false, ExpertKind::failure_note},
    {"decline_note", 603, false, ExpertKind::failure_note},
    {"not_found_warn", 404, false, ExpertKind::failure_warn},
    {"server_error", 500, false, ExpertKind::server_error},
    {"overload_without_retry_after", 503, false, ExpertKind::overload_no_retry_after},
    {"overload_with_retry_after", 503, true, ExpertKind::failure_note},
    {"bad_gateway_error", 502, false, ExpertKind::failure_error},
    {"global_warn", 604, false, ExpertKind::failure_warn},
};

class FailureExpertTest : public testing::TestWithParam<FailureExpertRow> {};

TEST_P(FailureExpertTest, ByMeaning) {
    EXPECT_EQ(failure_expert(GetParam().code, GetParam().retry_after), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Codes, FailureExpertTest, testing::ValuesIn(kFailureExpertRows),
                         row_name<FailureExpertRow>);

// Single pass: the outcome of a response is read back right after it is added, before anything
// that follows it in the capture. Without a known request, it is "request missing" at once.
struct SinglePassRow {
    const char *name;
    Messages (*build)();
    std::size_t diagnosed;
    Outcome right_after;  // outcome(r, false) just after the response is added
    Outcome if_complete;  // outcome(r, true) had the capture ended there
};
SIPDIAG_PRINT_ROW(SinglePassRow)

const SinglePassRow kSinglePassRows[] = {
    {"redirect", [] { return redirected_then_retry({"<sip:b@x>"}, "sip:b@x"); }, 1,
     Outcome::pending, Outcome::not_followed},
    {"conditional", [] { return conditional_failed(); }, 1, Outcome::pending,
     Outcome::not_followed},
    {"session_interval", [] { return too_small("90", {"1800"}); }, 1, Outcome::pending,
     Outcome::not_followed},
    {"request_missing",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{response(inv, 2, at(10), 302)};
     },
     0, Outcome::request_missing, Outcome::request_missing},
};

class SinglePassTest : public testing::TestWithParam<SinglePassRow> {};

TEST_P(SinglePassTest, PendingUntilSeen) {
    const SinglePassRow &row = GetParam();
    const Messages msgs = row.build();
    Correlator corr;
    for (std::size_t i = 0; i <= row.diagnosed; ++i) corr.add(msgs[i]);
    const Record &r = corr.record(static_cast<std::uint32_t>(row.diagnosed));
    EXPECT_EQ(corr.outcome(r, false), row.right_after);
    EXPECT_EQ(corr.outcome(r, true), row.if_complete);
    ASSERT_NE(corr.diagnosis(r), nullptr);
    EXPECT_TRUE(corr.capture_ends_in_window(*corr.diagnosis(r)));  // the verdict rests on 0 s
}

INSTANTIATE_TEST_SUITE_P(Scenarios, SinglePassTest, testing::ValuesIn(kSinglePassRows),
                         row_name<SinglePassRow>);

// Single pass: when a response's outcome is settled (Correlator::settled, settled_in), i.e. can no
// longer change: a wrong fix at its retry, a fix only at the answer to the retry (which may still
// withdraw it), no retry when a later message shows the window has run out.
struct SettleRow {
    const char *name;
    Messages (*build)();
    std::size_t response;  // index of the diagnosed response in the messages
    std::size_t by;        // index of the message that settles it
    Outcome outcome;       // outcome(r, true) once settled
};
SIPDIAG_PRINT_ROW(SettleRow)

const SettleRow kSettleRows[] = {
    {"redirect_fix_at_answer", [] { return redirected_then_retry({"<sip:b@x>"}, "sip:b@x"); }, 1, 4,
     Outcome::followed_ok},
    {"redirect_wrong_fix_at_retry", [] { return redirected_then_retry({"<sip:b@x>"}, kBob); }, 1, 3,
     Outcome::wrong_fix},
    {"session_interval_fix_at_answer", [] { return too_small_then_retry({"1800"}, {"1800"}, 200); },
     1, 4, Outcome::followed_ok},
    {"session_interval_refused_again", [] { return too_small_then_retry({"1800"}, {"1800"}, 422); },
     1, 4, Outcome::wrong_fix},
    {"session_interval_wrong_fix_at_retry", [] { return too_small_then_retry({"90"}, {}, 422); }, 1,
     3, Outcome::wrong_fix},
    {"challenge_rejected_at_answer", [] { return challenged_then(true, 401); }, 1, 3,
     Outcome::wrong_fix},
    {"conditional_if_match_repeated_at_retry",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", "dx200xyz"), 412, "");
     },
     1, 2, Outcome::wrong_fix},
    {"conditional_recovered_at_answer",
     [] {
         return conditional_failed_then(publish(3, at(20), 6, "z9hG4bK-pub2", ""), 200, "kwj449x");
     },
     1, 3, Outcome::followed_ok},
    {"window_run_out",
     [] {
         Messages m = redirected({"<sip:b@x>"});
         m.push_back(clock_tick(4, at(10) + kWindow / 2));
         m.push_back(clock_tick(5, at(10) + kWindow + kMs));
         return m;
     },
     1, 4, Outcome::not_followed},
};

class SettleTest : public testing::TestWithParam<SettleRow> {};

TEST_P(SettleTest, SettledByOneMessage) {
    const SettleRow &row = GetParam();
    const Messages msgs = row.build();
    Correlator corr;
    const std::uint32_t resp = static_cast<std::uint32_t>(row.response);
    std::size_t reported = 0;
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        corr.add(msgs[i]);
        const auto [s, n] = corr.settled_in(msgs[i].frame);
        for (std::size_t k = 0; k < n; ++k) {
            EXPECT_EQ(s[k].frame, corr.record(resp).frame) << "message " << i;
            EXPECT_EQ(s[k].index, corr.record(resp).index);
            EXPECT_EQ(s[k].by_message, msgs[i].index);
            EXPECT_EQ(i, row.by) << "settled by message " << i;
            ++reported;
        }
        // Before: still open. After: settled (by a retry or its answer: settled() says so too).
        const bool after = i >= row.by;
        const bool by_time = row.outcome == Outcome::not_followed;
        if (i >= row.response) {
            EXPECT_EQ(corr.settled(corr.record(resp)), after && !by_time) << "message " << i;
        }
        EXPECT_EQ(corr.settled_in(msgs[i].frame + 1000).second, 0u);
    }
    EXPECT_EQ(reported, 1u);
    EXPECT_EQ(corr.outcome(corr.record(resp), true), row.outcome);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, SettleTest, testing::ValuesIn(kSettleRows),
                         row_name<SettleRow>);

// ---------------------------------------------------------------------------------------------
// Request/response linking, response time, retransmissions, uncorrelatable messages.

struct LinkRow {
    const char *name;
    Messages (*build)();
    std::size_t index;  // message under test
    FrameNum request_frame;
    FrameNum response_frame;
    std::uint16_t response_code;
    FrameNum original_frame;  // non-zero: a retransmission of that frame
    std::optional<TimeNs> response_time;
    bool uncorrelated;
    std::string method;  // interned method name of the record
};
SIPDIAG_PRINT_ROW(LinkRow)

Messages call_flow() {
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK776asdhds");
    return {inv, response(inv, 2, at(5), 100), response(inv, 3, at(80), 180),
            response(inv, 4, at(250), 200)};
}

const LinkRow kLinkRows[] = {
    {"request_gets_its_final_response", call_flow, 0, 0, 4, 200, 0, std::nullopt, false, "INVITE"},
    {"provisional_links_to_request", call_flow, 1, 1, 0, 0, 0, 5 * kMs, false, "INVITE"},
    {"ringing_response_time", call_flow, 2, 1, 0, 0, 0, 80 * kMs, false, "INVITE"},
    {"final_response_time", call_flow, 3, 1, 0, 0, 0, 250 * kMs, false, "INVITE"},
    {"request_retransmission",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, with(inv, [](SipMessage &m) {
                             m.frame = 2;
                             m.time_ns = at(500);
                         })};
     },
     1, 0, 0, 0, 1, std::nullopt, false, "INVITE"},
    {"response_time_from_first_request_copy",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv,
                         with(inv,
                              [](SipMessage &m) {
                                  m.frame = 2;
                                  m.time_ns = at(500);
                              }),
                         response(inv, 3, at(600), 200)};
     },
     2, 1, 0, 0, 0, 600 * kMs, false, "INVITE"},
    {"request_links_to_first_final_not_its_copy",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 200), response(inv, 3, at(510), 200)};
     },
     0, 0, 2, 200, 0, std::nullopt, false, "INVITE"},
    {"response_retransmission",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 200), response(inv, 3, at(510), 200)};
     },
     2, 1, 0, 0, 2, 510 * kMs, false, "INVITE"},
    {"provisional_retransmission",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 180), response(inv, 3, at(20), 180),
                         response(inv, 4, at(30), 200)};
     },
     2, 1, 0, 0, 2, 20 * kMs, false, "INVITE"},
    {"other_code_is_not_retransmission",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 180), response(inv, 3, at(20), 180),
                         response(inv, 4, at(30), 200)};
     },
     3, 1, 0, 0, 0, 30 * kMs, false, "INVITE"},
    {"ack_is_its_own_transaction",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, at(10), 486), ack(inv, 3, at(11))};
     },
     2, 0, 0, 0, 0, std::nullopt, false, "ACK"},
    {"response_without_request",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{response(inv, 7, at(10), 486)};
     },
     0, 0, 0, 0, 0, std::nullopt, false, "INVITE"},
    {"same_branch_other_cseq_is_other_transaction",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, request(2, at(5), "INVITE", 2, "z9hG4bK1")};
     },
     1, 0, 0, 0, 0, std::nullopt, false, "INVITE"},
    {"same_transaction_other_call_id",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, with(inv, [](SipMessage &m) {
                             m.frame = 2;
                             m.call_id = "other@x";
                         })};
     },
     1, 0, 0, 0, 0, std::nullopt, false, "INVITE"},
    {"no_call_id",
     [] {
         return Messages{with(request(1, at(0), "INVITE", 1, "z9hG4bK1"),
                              [](SipMessage &m) { m.call_id.clear(); })};
     },
     0, 0, 0, 0, 0, std::nullopt, true, "INVITE"},
    {"no_cseq",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{inv, with(response(inv, 2, at(10), 200), [](SipMessage &m) {
                             m.has_cseq = false;
                             m.cseq_method.clear();
                         })};
     },
     1, 0, 0, 0, 0, std::nullopt, true, ""},
    // Regression (see regression_times_far_apart_do_not_wrap): the response time saturates.
    {"regression_response_time_saturates",
     [] {
         const SipMessage inv = request(1, -9'000'000'000'000'000'000, "INVITE", 1, "z9hG4bK1");
         return Messages{inv, response(inv, 2, 9'000'000'000'000'000'000, 200)};
     },
     1, 1, 0, 0, 0, std::numeric_limits<TimeNs>::max(), false, "INVITE"},
    {"uncorrelated_does_not_answer_request",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{
             inv, with(response(inv, 2, at(10), 200), [](SipMessage &m) { m.call_id.clear(); })};
     },
     0, 0, 0, 0, 0, std::nullopt, false, "INVITE"},
};

class LinkTest : public testing::TestWithParam<LinkRow> {};

TEST_P(LinkTest, Links) {
    const LinkRow &row = GetParam();
    const Messages msgs = row.build();
    const Fed fed(msgs);
    const Record &r = fed.corr.record(fed.idx[row.index]);
    const SipMessage &m = msgs[row.index];
    EXPECT_EQ(r.frame, m.frame);
    EXPECT_EQ(r.is_request(), m.is_request);
    // A record's fields are those of its kind (the two kinds share storage).
    if (m.is_request) {
        EXPECT_EQ(row.request_frame, 0u);
        EXPECT_EQ(r.response_frame, row.response_frame);
        EXPECT_EQ(r.code, row.response_code);
        EXPECT_EQ(r.retry_of, 0u);
    } else {
        EXPECT_EQ(r.code, m.status);
        EXPECT_EQ(r.request_frame, row.request_frame);
        EXPECT_EQ(row.response_frame, 0u);
        EXPECT_EQ(row.response_code, 0u);
    }
    EXPECT_EQ(r.retransmission(), row.original_frame != 0);
    EXPECT_EQ(fed.corr.original_frame(r), row.original_frame);
    EXPECT_EQ(r.has_response_time(), row.response_time.has_value());
    if (row.response_time) {
        EXPECT_EQ(fed.corr.response_time(r), *row.response_time);
    }
    EXPECT_EQ((r.flags & Record::kUncorrelated) != 0, row.uncorrelated);
    EXPECT_EQ(fed.corr.method_name(r.method), row.method);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, LinkTest, testing::ValuesIn(kLinkRows), row_name<LinkRow>);

// ---------------------------------------------------------------------------------------------
// Issues reported on a message.

struct IssueRow {
    const char *name;
    Messages (*build)();
    std::size_t index;
    std::vector<IssueKind> issues;  // in order
};
SIPDIAG_PRINT_ROW(IssueRow)

SipMessage lone_302(std::vector<std::string> contact) {
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
    return with_contact(response(inv, 2, at(10), 302), std::move(contact));
}

std::string contacts(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += (i ? ", <sip:u" : "<sip:u") + std::to_string(i) + "@x>";
    return s;
}

// A response to a REGISTER with one extra header (none when `h` is Hdr::count_).
Messages register_answered(unsigned code, Hdr h, const std::string &value) {
    const SipMessage reg = request(1, at(0), "REGISTER", 1, "z9hG4bK-reg");
    SipMessage resp = response(reg, 2, at(10), code);
    if (h != Hdr::count_) resp.headers.add(h, value);
    return Messages{reg, resp};
}

const IssueRow kIssueRows[] = {
    // The header evidence of 423 and Retry-After was plain strings, told apart by looking for
    // "without" in the text; they are typed issues now.
    {"423_without_min_expires",
     [] { return register_answered(423, Hdr::count_, ""); },
     1,
     {IssueKind::missing_min_expires}},
    {"423_bad_min_expires",
     [] { return register_answered(423, Hdr::min_expires, "soon"); },
     1,
     {IssueKind::bad_min_expires}},
    {"503_bad_retry_after",
     [] { return register_answered(503, Hdr::retry_after, "later"); },
     1,
     {IssueKind::bad_retry_after}},
    {"503_retry_after",
     [] { return register_answered(503, Hdr::retry_after, "30 (busy)"); },
     1,
     {}},
    {"clean_302", [] { return Messages{lone_302({"<sip:a@x>;q=0.5;expires=60"})}; }, 0, {}},
    {"302_without_contact", [] { return Messages{lone_302({})}; }, 0, {IssueKind::missing_contact}},
    {"302_empty_contact",
     [] { return Messages{lone_302({" "})}; },
     0,
     {IssueKind::missing_contact}},
    {"302_too_many_contacts",
     [] { return Messages{lone_302({contacts(kMaxContacts + 1)})}; },
     0,
     {IssueKind::contacts_truncated}},
    {"302_bad_q", [] { return Messages{lone_302({"<sip:a@x>;q=2"})}; }, 0, {IssueKind::bad_q}},
    {"302_bad_expires",
     [] { return Messages{lone_302({"<sip:a@x>;expires=soon"})}; },
     0,
     {IssueKind::bad_expires}},
    {"302_unbalanced_angle",
     [] { return Messages{lone_302({"<sip:a@x"})}; },
     0,
     {IssueKind::bad_contact}},
    {"302_uri_too_long",
     [] { return Messages{lone_302({"<sip:" + std::string(5000, 'a') + "@x>"})}; },
     0,
     {IssueKind::value_truncated}},
    {"302_several_problems",
     [] {
         return Messages{lone_302({"<sip:a@x>;q=x;expires=y", "<sip:b"})};
     },
     0,
     {IssueKind::bad_q, IssueKind::bad_expires, IssueKind::bad_contact}},
    {"422_without_min_se", [] { return too_small("90", {}); }, 1, {IssueKind::missing_min_se}},
    {"422_bad_min_se", [] { return too_small("90", {"abc"}); }, 1, {IssueKind::bad_min_se}},
    {"422_min_se_overflow",
     [] { return too_small("90", {"99999999999"}); },
     1,
     {IssueKind::bad_min_se}},
    {"422_clean", [] { return too_small("90", {"1800"}); }, 1, {}},
    {"412_clean", [] { return conditional_failed(); }, 1, {}},
    {"no_call_id",
     [] {
         return Messages{with(request(1, at(0), "INVITE", 1, "z9hG4bK1"),
                              [](SipMessage &m) { m.call_id.clear(); })};
     },
     0,
     {IssueKind::missing_call_id}},
    {"no_cseq",
     [] {
         return Messages{with(request(1, at(0), "INVITE", 1, "z9hG4bK1"),
                              [](SipMessage &m) { m.has_cseq = false; })};
     },
     0,
     {IssueKind::missing_cseq}},
    {"no_call_id_nor_cseq_302_without_contact",
     [] {
         return Messages{with(lone_302({}), [](SipMessage &m) {
             m.call_id.clear();
             m.has_cseq = false;
         })};
     },
     0,
     {IssueKind::missing_call_id, IssueKind::missing_cseq, IssueKind::missing_contact}},
    {"no_call_id_422_without_min_se",
     [] {
         const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK1");
         return Messages{
             with(response(inv, 2, at(10), 422), [](SipMessage &m) { m.call_id.clear(); })};
     },
     0,
     {IssueKind::missing_call_id, IssueKind::missing_min_se}},
    {"issues_are_bounded",
     [] {
         std::vector<std::string> many;
         for (int i = 0; i < 40; ++i) many.push_back("<sip:a@x>;q=bad");
         return Messages{lone_302(many)};
     },
     0, std::vector<IssueKind>(16, IssueKind::bad_q)},
};

class IssueTest : public testing::TestWithParam<IssueRow> {};

TEST_P(IssueTest, Reports) {
    const IssueRow &row = GetParam();
    const Fed fed(row.build());
    const Record &r = fed.corr.record(fed.idx[row.index]);
    const auto d = detail_of(fed.corr, r);
    std::vector<IssueKind> got;
    if (d) {
        for (const Issue &i : d->issues) {
            got.push_back(i.kind);
            EXPECT_FALSE(i.detail.empty());
            EXPECT_LT(i.detail.size(), 1024u) << "detail text must stay short";
        }
    }
    EXPECT_EQ(got, row.issues);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, IssueTest, testing::ValuesIn(kIssueRows), row_name<IssueRow>);

struct IssueNameRow {
    const char *name;
    IssueKind kind;
    bool malformed;
    std::string text;
};
SIPDIAG_PRINT_ROW(IssueNameRow)

const IssueNameRow kIssueNameRows[] = {
    {"missing_contact", IssueKind::missing_contact, false, "Contact missing"},
    {"missing_min_se", IssueKind::missing_min_se, false, "Min-SE missing"},
    {"missing_call_id", IssueKind::missing_call_id, false, "Call-ID missing"},
    {"missing_cseq", IssueKind::missing_cseq, false, "CSeq missing or invalid"},
    {"bad_session_expires", IssueKind::bad_session_expires, true, "Session-Expires unparsable"},
    {"bad_min_se", IssueKind::bad_min_se, true, "Min-SE unparsable"},
    {"bad_q", IssueKind::bad_q, true, "Contact q unparsable"},
    {"bad_expires", IssueKind::bad_expires, true, "Contact expires unparsable"},
    {"bad_contact", IssueKind::bad_contact, true, "Contact unparsable"},
    {"bad_etag", IssueKind::bad_etag, true, "Entity tag invalid"},
    {"contacts_truncated", IssueKind::contacts_truncated, false, "Too many contacts"},
    {"value_truncated", IssueKind::value_truncated, false, "Value too long"},
};

class IssueNameTest : public testing::TestWithParam<IssueNameRow> {};

TEST_P(IssueNameTest, Names) {
    EXPECT_EQ(issue_name(GetParam().kind), GetParam().text);
    EXPECT_EQ(issue_class(GetParam().kind) == IssueClass::bad_value, GetParam().malformed);
}

INSTANTIATE_TEST_SUITE_P(Values, IssueNameTest, testing::ValuesIn(kIssueNameRows),
                         row_name<IssueNameRow>);

struct OutcomeNameRow {
    const char *name;
    Outcome outcome;
    std::string text;
};
SIPDIAG_PRINT_ROW(OutcomeNameRow)

const OutcomeNameRow kOutcomeNameRows[] = {
    {"not_applicable", Outcome::not_applicable, "not applicable"},
    {"pending", Outcome::pending, "pending"},
    {"followed_ok", Outcome::followed_ok, "followed ok"},
    {"wrong_fix", Outcome::wrong_fix, "wrong fix"},
    {"not_followed", Outcome::not_followed, "not followed"},
    {"request_missing", Outcome::request_missing, "request missing"},
};

class OutcomeNameTest : public testing::TestWithParam<OutcomeNameRow> {};

TEST_P(OutcomeNameTest, Names) {
    EXPECT_EQ(outcome_name(GetParam().outcome), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Values, OutcomeNameTest, testing::ValuesIn(kOutcomeNameRows),
                         row_name<OutcomeNameRow>);

// ---------------------------------------------------------------------------------------------
// Call view

TEST(CallView, SessionIntervalThenRedirectInOneCall) {
    Messages m = too_small("90", {"1800"});  // frames 1-3, 422 in frame 2
    const SipMessage retry =
        with_session(request(4, at(20), "INVITE", 2, "z9hG4bK-se2"), {"1800"}, {"1800"});
    m.push_back(retry);
    m.push_back(with_contact(response(retry, 5, at(30), 302), {"<sip:bob@192.0.2.4>"}));
    m.push_back(ack(retry, 6, at(31)));
    const SipMessage retry2 = with_session(
        request(7, at(40), "INVITE", 3, "z9hG4bK-se3", "sip:bob@192.0.2.4"), {"1800"}, {"1800"});
    m.push_back(retry2);
    m.push_back(response(retry2, 8, at(90), 200));
    // Another call with its own 302.
    const SipMessage other = with(request(9, at(100), "INVITE", 1, "z9hG4bK-o1"),
                                  [](SipMessage &x) { x.call_id = "other-call@x"; });
    m.push_back(other);
    m.push_back(with_contact(response(other, 10, at(110), 302), {"<sip:c@x>"}));

    const Fed fed(m);
    const Correlator &c = fed.corr;
    const Record &r422 = c.record(fed.idx[1]);
    const Record &r302 = c.record(fed.idx[4]);
    ASSERT_TRUE(r422.has_detail() && r302.has_detail());
    const auto *view = c.call(*c.diagnosis(r422));
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(view, c.call(*c.diagnosis(r302)));
    ASSERT_EQ(view->size(), 2u);
    EXPECT_EQ((*view)[0].frame, 2u);
    EXPECT_EQ((*view)[0].code, 422);
    EXPECT_EQ((*view)[0].record, fed.idx[1]);
    EXPECT_EQ((*view)[1].frame, 5u);
    EXPECT_EQ((*view)[1].code, 302);
    EXPECT_EQ((*view)[1].record, fed.idx[4]);
    EXPECT_EQ(c.outcome(r422, true), Outcome::followed_ok);
    EXPECT_EQ(c.outcome(r302, true), Outcome::followed_ok);

    const Record &rother = c.record(fed.idx[9]);
    const auto *other_view = c.call(*c.diagnosis(rother));
    ASSERT_NE(other_view, nullptr);
    EXPECT_NE(other_view, view);
    ASSERT_EQ(other_view->size(), 1u);
    EXPECT_EQ((*other_view)[0].frame, 10u);

    // A message without a call view.
    Diagnosis none;
    EXPECT_EQ(c.call(none), nullptr);
}

// ---------------------------------------------------------------------------------------------
// After a 302: later calls should keep using the original URI (RFC 3261 21.3.3)

struct LaterCallRow {
    const char *name;
    const char *later_ruri;    // Request-URI of the client's next call (new Call-ID)
    const char *later_client;  // its top Via identity
    FrameNum want_frame;       // 0: no verdict
    bool want_kept;
};
SIPDIAG_PRINT_ROW(LaterCallRow)

const LaterCallRow kLaterCallRows[] = {
    {"kept_original_uri", kBob, kClient, 5, true},
    {"went_to_the_contact", "sip:bob@192.0.2.4", kClient, 5, false},
    {"contact_uri_equivalent_form", "sip:bob@192.0.2.4;lr", kClient, 5, false},
    {"other_destination_tells_nothing", "sip:carol@biloxi.example.com", kClient, 0, false},
    {"another_client_tells_nothing", "sip:bob@192.0.2.4", kProxy, 0, false},
};

class LaterCallTest : public testing::TestWithParam<LaterCallRow> {};

TEST_P(LaterCallTest, Judged) {
    const LaterCallRow &row = GetParam();
    Messages m;
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK-lc1");
    m.push_back(inv);
    m.push_back(with_contact(response(inv, 2, at(10), 302), {"<sip:bob@192.0.2.4>"}));
    // The retry of the same call at the Contact is the follow-up, not a "later request".
    const SipMessage retry = request(3, at(20), "INVITE", 2, "z9hG4bK-lc2", "sip:bob@192.0.2.4");
    m.push_back(retry);
    m.push_back(response(retry, 4, at(30), 200));
    m.push_back(with(request(5, at(60'000), "INVITE", 1, "z9hG4bK-lc3", row.later_ruri),
                     [&](SipMessage &x) {
                         x.call_id = "later-call@pc33";
                         x.via_sent_by = row.later_client;
                     }));
    const Fed fed(m);
    const auto d = detail_of(fed.corr, fed.corr.record(fed.idx[1]));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->original_uri, kBob);
    EXPECT_EQ(d->followup_frame, 3u);
    EXPECT_EQ(d->later_request_frame, row.want_frame);
    if (row.want_frame) {
        EXPECT_EQ(d->later_kept_original, row.want_kept);
    }
}

INSTANTIATE_TEST_SUITE_P(Values, LaterCallTest, testing::ValuesIn(kLaterCallRows),
                         row_name<LaterCallRow>);

// ---------------------------------------------------------------------------------------------
// frame_records

TEST(FrameRecords, InOrderAndMissing) {
    Messages m = call_flow();  // frames 1..4
    SipMessage second = m[3];
    second.index = 1;  // a second message in frame 4 (a retransmitted 200)
    m.push_back(second);
    const Fed fed(m);
    const auto [recs, n] = fed.corr.frame_records(4);
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(recs[0].index, 0);
    EXPECT_EQ(recs[1].index, 1);
    EXPECT_TRUE(recs[1].retransmission());
    EXPECT_EQ(fed.corr.frame_records(99).second, 0u);
    EXPECT_EQ(fed.corr.frame_records(0).second, 0u);
    EXPECT_EQ(fed.corr.frame_records(1).second, 1u);
    EXPECT_EQ(fed.corr.record_count(), 5u);
    EXPECT_EQ(fed.corr.last_time(), at(250));
}

// The frame added last is answered without searching the store (the first pass renders it right
// after adding it): the answer must be the same before and after other frames are looked up, and
// for a frame of several messages at the end of the capture.
TEST(FrameRecords, LastFrameAddedAndBack) {
    Messages m = call_flow();  // frames 1..4
    SipMessage second = m[3];
    second.index = 1;
    m.push_back(second);
    Correlator c;
    for (std::size_t i = 0; i < m.size(); ++i) {
        c.add(m[i]);
        const auto [recs, n] = c.frame_records(m[i].frame);
        ASSERT_EQ(n, m[i].frame == 4 ? m[i].index + 1u : 1u) << "after message " << i;
        EXPECT_EQ(recs[n - 1].frame, m[i].frame);
        EXPECT_EQ(recs[n - 1].index, m[i].index);
    }
    // A later pass, in order and backwards.
    for (FrameNum f : {1u, 2u, 3u, 4u, 4u, 2u, 1u}) {
        const auto [recs, n] = c.frame_records(f);
        ASSERT_EQ(n, f == 4 ? 2u : 1u) << "frame " << f;
        EXPECT_EQ(recs[0].frame, f);
    }
}

TEST(FrameRecords, OutOfOrderInput) {
    Messages m = call_flow();
    std::swap(m[1].frame, m[2].frame);  // frames 1,3,2,4
    const Fed fed(m);
    for (FrameNum f = 1; f <= 4; ++f) {
        const auto [recs, n] = fed.corr.frame_records(f);
        ASSERT_EQ(n, 1u) << "frame " << f;
        EXPECT_EQ(recs[0].frame, f);
    }
    EXPECT_EQ(fed.corr.frame_records(5).second, 0u);
}

// ---------------------------------------------------------------------------------------------
// Bounded tables: tiny capacities must evict without crashing, and the tables stay bounded.

// Deterministic mixed traffic: calls that get 302/422/200, PUBLISH/412 for a few entities,
// retransmissions and retries, over `n` messages.
Messages mixed_traffic(std::size_t n, std::uint32_t seed) {
    Messages out;
    std::uint32_t s = seed;
    auto next = [&s] {
        s = s * 1664525u + 1013904223u;
        return s >> 8;
    };
    FrameNum frame = 1;
    TimeNs t = at(0);
    while (out.size() < n) {
        const std::uint32_t r = next();
        const std::string call = "call-" + std::to_string(r % 97);
        const std::uint32_t cseq = 1 + (r >> 8) % 5;
        const std::string branch = "z9hG4bK-" + std::to_string(next() % 50);
        t += static_cast<TimeNs>(next() % 3000) * kMs;
        const unsigned kind = next() % 6;
        SipMessage req;
        if (kind == 5) {
            req = publish(frame++, t, cseq, branch, (r & 1) ? "dx200xyz" : "",
                          "sip:e" + std::to_string(r % 7) + "@x");
        } else {
            req = request(frame++, t, (r & 2) ? "INVITE" : "UPDATE", cseq, branch,
                          "sip:u" + std::to_string(r % 5) + "@x");
            req.session_expires = {std::to_string(next() % 3600)};
            if (r & 4) req.min_se = {"1800"};
        }
        req.call_id = kind == 5 ? req.call_id : call;
        if (r & 8) req.via_sent_by = kProxy;
        out.push_back(req);
        if (r & 16) out.push_back(with(req, [&](SipMessage &m) { m.frame = frame++; }));
        static const unsigned kCodes[] = {100, 180, 200, 302, 412, 422, 486};
        const unsigned code = kCodes[next() % 7];
        SipMessage resp = response(req, frame++, t + 5 * kMs, code);
        if (code == 302)
            resp.contact = {"<sip:u" + std::to_string(r % 5) + "@x>;q=0." + std::to_string(r % 10)};
        if (code == 422) resp.min_se = {"1800"};
        if (code == 200 && req.method == "PUBLISH") resp.etag = {"e" + std::to_string(r % 11)};
        out.push_back(resp);
        if (r & 32) out.push_back(with(resp, [&](SipMessage &m) { m.frame = frame++; }));
    }
    return out;
}

// Reads back everything a dissector would.
void read_back(const Correlator &c, bool complete) {
    for (std::size_t i = 0; i < c.record_count(); ++i) {
        const Record &r = c.record(static_cast<std::uint32_t>(i));
        (void)c.method_name(r.method);
        (void)c.outcome(r, complete);
        const auto fr = c.frame_records(r.frame);
        ASSERT_GE(fr.second, 1u);
        if (const Diagnosis *d = c.diagnosis(r)) {
            if (const auto *view = c.call(*d)) {
                for (const CallEntry &e : *view) {
                    ASSERT_LT(e.record, c.record_count());
                    EXPECT_EQ(c.record(e.record).frame, e.frame);
                }
            }
        }
    }
}

struct BoundRow {
    const char *name;
    Config config;
    std::size_t messages;
};
SIPDIAG_PRINT_ROW(BoundRow)

Config tiny(std::size_t cap, std::size_t codes_per_call = 2) {
    Config c;
    c.followup_window_ns = 5 * kSec;
    c.transactions = cap;
    c.entities = cap;
    c.pending = cap;
    c.calls = cap;
    c.codes_per_call = codes_per_call;
    return c;
}

const BoundRow kBoundRows[] = {
    {"capacity_zero", tiny(0, 0), 3000},       {"capacity_one", tiny(1, 1), 3000},
    {"capacity_two", tiny(2), 3000},           {"capacity_seven", tiny(7), 5000},
    {"capacity_hundred", tiny(100, 16), 5000},
};

class BoundTest : public testing::TestWithParam<BoundRow> {};

TEST_P(BoundTest, EvictsSafely) {
    const BoundRow &row = GetParam();
    const Messages msgs = mixed_traffic(row.messages, 12345);
    Correlator c(row.config);
    std::size_t max_tx = 0;
    for (const SipMessage &m : msgs) {
        c.add(m);
        max_tx = std::max(max_tx, c.transaction_count());
    }
    EXPECT_LE(max_tx, std::max<std::size_t>(row.config.transactions, 1));
    EXPECT_EQ(c.record_count(), msgs.size());
    read_back(c, false);
    read_back(c, true);
    for (std::size_t i = 0; i < c.record_count(); ++i) {
        const Record &r = c.record(static_cast<std::uint32_t>(i));
        if (const Diagnosis *d = c.diagnosis(r)) {
            if (const auto *view = c.call(*d)) {
                EXPECT_LE(view->size(), row.config.codes_per_call);
                EXPECT_LT(d->call, std::max<std::size_t>(row.config.calls, 1));
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Configs, BoundTest, testing::ValuesIn(kBoundRows), row_name<BoundRow>);

TEST(Bound, HundredThousandCallIdsInThousandTransactions) {
    Config cfg;
    cfg.transactions = 1000;
    cfg.calls = 1000;
    cfg.pending = 1000;
    cfg.entities = 1000;
    Correlator c(cfg);
    std::size_t max_tx = 0;
    for (std::uint32_t i = 0; i < 100000; ++i) {
        SipMessage inv = request(2 * i + 1, at(i), "INVITE", 1, "z9hG4bK-" + std::to_string(i));
        inv.call_id = "call-" + std::to_string(i) + "@bulk";
        c.add(inv);
        SipMessage r = response(inv, 2 * i + 2, at(i) + kMs, (i % 10 == 0) ? 302 : 486);
        if (r.status == 302) r.contact = {"<sip:x@y>"};
        c.add(r);
        max_tx = std::max(max_tx, c.transaction_count());
    }
    EXPECT_LE(max_tx, 1000u);
    EXPECT_EQ(c.transaction_count(), 1000u);
    EXPECT_EQ(c.record_count(), 200000u);
    // The newest call is still fully linked; the oldest transactions were forgotten.
    const Record &last = c.record(199999);
    EXPECT_EQ(last.request_frame, 199999u);
    // Call views stop at the capacity instead of growing.
    std::size_t with_view = 0;
    for (std::uint32_t i = 0; i < 200000; ++i) {
        const Record &r = c.record(i);
        if (const Diagnosis *d = c.diagnosis(r)) {
            if (c.call(*d)) ++with_view;
        }
    }
    EXPECT_LE(with_view, 1000u);
    read_back(c, true);
}

// A response time is kept in 48 bits of the record, longer ones (broken timestamps) aside: every
// value reads back as it was, the sign included.
TEST(Record, ResponseTimesOfEveryMagnitudeReadBack) {
    Store s;
    constexpr TimeNs k32 = TimeNs{UINT32_MAX};
    for (TimeNs t :
         {TimeNs{0}, TimeNs{1}, 250 * kMs, k32, TimeNs{-1}, -3 * kSec, k32 + 1, 20 * kSec,
          std::numeric_limits<TimeNs>::max(), std::numeric_limits<TimeNs>::min()}) {
        Record r;
        s.set_response_time(r, t);
        EXPECT_TRUE(r.has_response_time());
        EXPECT_EQ(s.response_time(r), t) << t;
    }
    // Only those outside 0 .. 2^32-1 ns (4.29 s) are kept aside.
    EXPECT_EQ(s.long_times.size(), 6u);
}

// A Record is 16 bytes: its code and its position in the frame share 16 bits, and the method
// id shares a byte with a flag. Every value they may take reads back.
TEST(Record, PackedFieldsHoldTheirWholeRange) {
    Record r;
    EXPECT_EQ(r.code, 0u);
    EXPECT_EQ(r.index, 0u);
    EXPECT_EQ(r.method, 0u);
    for (unsigned code : {0u, 100u, 699u, 999u}) {
        for (unsigned index : {0u, 1u, Record::kMaxIndex - 1}) {
            for (unsigned method : {0u, 1u, Record::kMaxMethods - 1}) {
                r.code = static_cast<std::uint16_t>(code);
                r.index = static_cast<std::uint16_t>(index);
                r.method = static_cast<std::uint8_t>(method);
                r.flags = 0xff;
                EXPECT_EQ(r.code, code);
                EXPECT_EQ(r.index, index);
                EXPECT_EQ(r.method, method);
            }
        }
    }
}

// The 65th message of a frame (beyond what the 6-bit position holds) keeps the last position
// rather than wrapping to 0.
TEST(Record, PositionBeyondSixBitsIsClamped) {
    Correlator c;
    SipMessage m = request(1, at(0), "OPTIONS", 1, "z9hG4bK-clamp");
    m.index = 200;
    c.add(m);
    ASSERT_EQ(c.record_count(), 1u);
    EXPECT_EQ(c.record(0).index, Record::kMaxIndex - 1);
}

// Forking (RFC 3261 16.7): a forking proxy relays to the client the provisional responses of
// every branch; they share the client's transaction and code but not the To tag. Each is a
// response of its own; only the same code with the same To tag again is a retransmission.
// Regression: the identity was the code alone, and the second fork's 180 was "retransmission
// of frame 6" (captures/agents/shape-fork.pcapng, frames 6 and 8).
TEST(Retransmission, TheResponsesOfTwoForksAreTwoResponses) {
    Correlator c{Config{}};
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK-fork");
    c.add(inv);
    const auto ringing = [&](FrameNum frame, TimeNs t, const char *tag) -> const Record & {
        SipMessage m = response(inv, frame, t, 180);
        m.to_tag = tag;
        return c.record(c.add(m));  // a reference: the correlator finds records by address
    };
    EXPECT_FALSE(ringing(2, at(10), "fork-a").retransmission());
    EXPECT_FALSE(ringing(3, at(20), "fork-b").retransmission());
    const Record &again = ringing(4, at(520), "fork-b");
    EXPECT_TRUE(again.retransmission());
    EXPECT_EQ(c.original_frame(again), 3u);
    // Without To tags (a 100 Trying) the code alone still identifies it.
    EXPECT_FALSE(c.record(c.add(response(inv, 5, at(530), 100))).retransmission());
    EXPECT_TRUE(c.record(c.add(response(inv, 6, at(540), 100))).retransmission());
}

// A transaction that has its final response is kept for Config::transaction_linger_ns after its
// last message (an ACK: after its last sighting) so that retransmissions are still recognised,
// then forgotten: memory follows the traffic of the last half minute, not the capacity. Each
// retransmission postpones the end, so a final retransmitted every T2 for longer than the linger
// stays one transaction.
TEST(Bound, TransactionsAreForgottenAfterTheirLinger) {
    Config cfg;
    cfg.transaction_linger_ns = 10 * kSec;
    Correlator c(cfg);
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK-linger");
    c.add(inv);
    c.add(response(inv, 2, at(100), 486));
    SipMessage ack = request(3, at(110), "ACK", 1, "z9hG4bK-linger");
    c.add(ack);
    EXPECT_EQ(c.transaction_count(), 2u);
    // Inside the linger: the final and the ACK repeated are retransmissions.
    const std::uint32_t again = c.add(response(inv, 4, at(9'000), 486));
    EXPECT_TRUE(c.record(again).retransmission());
    EXPECT_EQ(c.original_frame(c.record(again)), 2u);
    ack.frame = 5;
    ack.time_ns = at(9'010);
    EXPECT_TRUE(c.record(c.add(ack)).retransmission());
    c.add(request(6, at(10'050), "OPTIONS", 2, "z9hG4bK-other"));
    EXPECT_EQ(c.transaction_count(), 3u);
    // 18.4 s after the first final, 9.5 s after the last copy: still a retransmission.
    const std::uint32_t later = c.add(response(inv, 7, at(18'500), 486));
    EXPECT_TRUE(c.record(later).retransmission());
    EXPECT_EQ(c.transaction_count(), 3u);
    // The ACK's last sighting was at 9.01 s: it is gone at 19.01 s; the INVITE at 28.5 s. An
    // unanswered request stays.
    c.add(request(8, at(19'100), "OPTIONS", 3, "z9hG4bK-third"));
    EXPECT_EQ(c.transaction_count(), 3u);
    c.add(request(9, at(28'600), "OPTIONS", 4, "z9hG4bK-fourth"));
    EXPECT_EQ(c.transaction_count(), 3u);  // the three OPTIONS
    // So a final seen after that is no longer tied to the INVITE.
    const std::uint32_t late = c.add(response(inv, 10, at(28'700), 486));
    EXPECT_FALSE(c.record(late).retransmission());
    EXPECT_EQ(c.record(late).request_frame, 0u);
}

// RecordSide against a std::map: appends in capture order, out-of-order inserts (across the
// block splits), updates, and lookups of present and missing records.
TEST(RecordSide, AgreesWithAMap) {
    std::mt19937 rng(7);
    for (int round = 0; round < 4; ++round) {
        RecordSide side;
        std::map<std::uint32_t, std::uint32_t> ref;
        std::uint32_t next = 0;
        for (int i = 0; i < 5000; ++i) {
            std::uint32_t rec;
            const unsigned pick = rng() % 10;
            if (static_cast<int>(pick) < 7 - round) {
                next += 1 + rng() % 5;
                rec = next;  // capture order
            } else {
                rec = next == 0 ? 0 : static_cast<std::uint32_t>(rng() % (next + 1));  // earlier
            }
            const std::uint32_t value = static_cast<std::uint32_t>(rng());
            side.set(rec, value);
            ref[rec] = value;
        }
        ASSERT_EQ(side.size(), ref.size());
        for (std::uint32_t rec = 0; rec <= next + 2; ++rec) {
            const auto it = ref.find(rec);
            EXPECT_EQ(side.get(rec, 0xdeadbeef), it == ref.end() ? 0xdeadbeef : it->second)
                << "round " << round << " record " << rec;
        }
    }
}

// Regression: the flow tap handed the renderer a copy of a Record; the side tables are found by
// the record's address in the store, so the copy's diagnosis index was garbage and tshark
// -z flow,sipdiag crashed. A copy now finds no diagnosis instead (and the tap passes the
// original).
TEST(Record, ACopyFindsNoSideTableEntries) {
    Correlator c;
    for (const SipMessage &m : too_small("90", {"1800"})) c.add(m);
    const Record &kept = c.record(1);
    ASSERT_NE(c.diagnosis(kept), nullptr);
    const Record copy = kept;
    EXPECT_EQ(c.diagnosis(copy), nullptr);
    EXPECT_EQ(c.original_frame(copy), 0u);
}

// Memory: a transaction drops its request's texts (Request-URI, Session-Expires, facts) once
// its first final is one that no rule diagnoses, since its retransmissions are not diagnosed
// either; a final that a rule diagnoses keeps them for its retransmissions, which are diagnosed
// from them again (the retransmitted 422 still shows the Session-Expires asked for).
TEST(Bound, RequestTextIsDroppedAfterAFinalNoRuleReads) {
    Correlator c;
    const SipMessage ok = with_session(request(1, at(0), "INVITE", 1, "z9hG4bK-ok"), {"1800"}, {});
    c.add(ok);
    ASSERT_NE(c.transaction_of(ok), nullptr);
    EXPECT_EQ(c.transaction_of(ok)->session_expires(), 1800u);
    c.add(response(ok, 2, at(50), 200));
    ASSERT_NE(c.transaction_of(ok), nullptr);  // kept for the linger
    EXPECT_FALSE(c.transaction_of(ok)->session_expires().has_value());
    EXPECT_TRUE(c.transaction_of(ok)->request_uri().empty());

    const SipMessage low =
        with_session(request(3, at(100), "INVITE", 1, "z9hG4bK-low"), {"60"}, {});
    c.add(low);
    SipMessage too_small = with_session(response(low, 4, at(150), 422), {}, {"90"});
    c.add(too_small);
    ASSERT_NE(c.transaction_of(low), nullptr);
    EXPECT_EQ(c.transaction_of(low)->session_expires(), 60u);
    too_small.frame = 5;
    too_small.time_ns = at(650);
    const std::uint32_t again = c.add(too_small);
    ASSERT_TRUE(c.record(again).retransmission());
    const Diagnosis *d = c.diagnosis(c.record(again));
    ASSERT_NE(d, nullptr);
    const TimerDetail *t = c.detail<SessionTimerRule>(*d);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->session_expires, 60u);
}

// Regression: interning the 64th distinct method renamed the 63rd one to "(other)", so records
// already carrying that method changed name (and its retries no longer matched); and a method
// longer than 32 bytes was stored cut but looked up whole, taking a new slot every time.
TEST(Regression, MethodTableFillsWithoutRenaming) {
    Correlator c;
    std::vector<std::uint32_t> idx;
    for (int i = 0; i < 100; ++i) {
        idx.push_back(c.add(request(static_cast<FrameNum>(i + 1), at(i), "M" + std::to_string(i), 1,
                                    "z9hG4bK" + std::to_string(i))));
    }
    std::size_t named = 0;
    for (int i = 0; i < 100; ++i) {
        const std::string &name = c.method_name(c.record(idx[i]).method);
        if (name == "M" + std::to_string(i)) {
            ++named;
        } else {
            EXPECT_EQ(name, "(other)") << "record " << i;
            EXPECT_GT(named, 60u) << "methods are named until the table is full";
        }
    }
    // The first methods keep their own names, later ones share "(other)".
    EXPECT_EQ(c.method_name(c.record(idx[0]).method), "M0");
    EXPECT_EQ(named, 62u);
    EXPECT_EQ(c.method_name(c.record(idx[61]).method), "M61");
    EXPECT_EQ(c.method_name(c.record(idx[99]).method), "(other)");

    Correlator c2;
    const std::string longname(40, 'X');
    for (int i = 0; i < 100; ++i) {
        c2.add(request(static_cast<FrameNum>(i + 1), at(i), longname, 1,
                       "z9hG4bK" + std::to_string(i)));
    }
    const std::uint32_t inv = c2.add(request(101, at(101), "INVITE", 1, "z9hG4bK-inv"));
    EXPECT_EQ(c2.method_name(c2.record(inv).method), "INVITE");
    EXPECT_EQ(c2.method_name(c2.record(0).method), std::string(32, 'X'));
}

// The software named by User-Agent and Server: each name reads back as itself, in any order,
// names of the same length that differ in one byte included, and names are kept to 128 bytes.
TEST(Agents, EveryNameReadsBackAsItself) {
    const std::string long_a = std::string(130, 'a');
    const std::string long_b = std::string(128, 'a') + "bb";  // the same first 128 bytes
    const std::vector<std::string> names = {
        "Linphone/5.2.0 (belle-sip/5.2.0)",
        "Linphone/5.2.1 (belle-sip/5.2.0)",  // same length, one byte differs
        "baresip v3.10.1 (x86_64/linux)",
        "Linphone/5.2.0 (belle-sip/5.2.0)",
        "Twinkle/1.10.3",
        "Twinkle/1.10.4",
        long_a,
        long_b,
        "baresip v3.10.1 (x86_64/linux)",
        "Linphone/5.2.1 (belle-sip/5.2.0)",
    };
    Correlator c;
    FrameNum frame = 1;
    for (std::size_t i = 0; i < names.size(); ++i) {
        SipMessage inv =
            request(frame++, at(static_cast<std::int64_t>(i) * 10), "INVITE",
                    static_cast<std::uint32_t>(i + 1), "z9hG4bK-ua" + std::to_string(i));
        inv.headers.add(Hdr::user_agent, names[i]);
        c.add(inv);
        SipMessage r = response(inv, frame++, at(static_cast<std::int64_t>(i) * 10 + 1), 302);
        r.headers.add(Hdr::server, names[names.size() - 1 - i]);
        const Diagnosis *d = c.diagnosis(c.record(c.add(r)));
        ASSERT_NE(d, nullptr) << i;
        EXPECT_EQ(c.agent_name(d->client_agent), names[i].substr(0, 128)) << i;
        EXPECT_EQ(c.agent_name(d->server_agent), names[names.size() - 1 - i].substr(0, 128)) << i;
    }
    // Two names equal in their first 128 bytes are one name.
    EXPECT_EQ(c.agent_name(1), "Linphone/5.2.0 (belle-sip/5.2.0)");
}

// Regression: a response waiting for its retry kept the hash of its branch's first 128 bytes,
// while a later request's branch was hashed whole; with a longer branch the two never matched,
// so a request reusing the 422's own branch (not a new request, RFC 3261 8.1.3.5) was taken for
// its retry.
TEST(Regression, ALongBranchIsComparedWhole) {
    struct Row {
        std::size_t length;  // of the branch of the INVITE and its 422
        bool same_branch;    // the later request (higher CSeq) reuses it
        FrameNum followup;   // the 422's follow-up frame
    };
    const Row rows[] = {
        {20, true, 0},    // reused branch: not a new request
        {200, true, 0},   // the same past 128 bytes (the bug: taken for the retry)
        {20, false, 4},   // a new branch: the retry
        {200, false, 4},  // a new branch that differs only past 128 bytes: the retry
    };
    for (const Row &row : rows) {
        const std::string branch = "z9hG4bK" + std::string(row.length, 'b');
        const std::string other = branch.substr(0, branch.size() - 1) + "c";
        Correlator c;
        const SipMessage inv = with_session(request(1, at(0), "INVITE", 1, branch), {"90"}, {});
        c.add(inv);
        const std::uint32_t r422 = c.add(with_session(response(inv, 2, at(10), 422), {}, {"1800"}));
        c.add(ack(inv, 3, at(12)));
        c.add(with_session(request(4, at(20), "INVITE", 2, row.same_branch ? branch : other),
                           {"1800"}, {}));
        const Diagnosis *d = c.diagnosis(c.record(r422));
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->followup_frame, row.followup)
            << "branch of " << row.length << " bytes, " << (row.same_branch ? "reused" : "new");
    }
}

// Regression: the 412s waiting for a re-PUBLISH were kept per entity without a bound, and every
// PUBLISH for the entity scanned all of them: 412s from many clients that never recover made
// the first pass quadratic (a hostile capture could hang Wireshark).
TEST(Regression, PendingConditionalFailuresPerEntityAreBounded) {
    constexpr int kN = 40000;
    Correlator c;
    const auto start = std::chrono::steady_clock::now();
    FrameNum f = 1;
    for (int i = 0; i < kN; ++i) {
        SipMessage pub =
            with_via(publish(f++, kT0 + i * 1000, 1, "z9hG4bK-a" + std::to_string(i), "x"),
                     "a" + std::to_string(i) + ".example.com:5060", "192.0.2.1");
        pub.call_id = "a" + std::to_string(i);
        c.add(pub);
        c.add(response(pub, f++, kT0 + i * 1000 + 500, 412));
    }
    for (int i = 0; i < kN; ++i) {
        SipMessage pub =
            with_via(publish(f++, kT0 + (kN + i) * 1000, 1, "z9hG4bK-b" + std::to_string(i), ""),
                     "b" + std::to_string(i) + ".example.com:5060", "192.0.2.2");
        pub.call_id = "b" + std::to_string(i);
        c.add(pub);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 15.0) << "quadratic scan of pending 412s (about 40 s before the fix)";
    // The newest 412 is still matched by its own client's recovery.
    SipMessage last = with_via(publish(f++, kT0 + 2 * kN * 1000, 2, "z9hG4bK-last", ""),
                               "a" + std::to_string(kN - 1) + ".example.com:5060", "192.0.2.1");
    last.call_id = "a" + std::to_string(kN - 1);
    const std::uint32_t r = c.add(last);
    EXPECT_EQ(c.retry_of_code(c.record(r)), 412);
}

// ---------------------------------------------------------------------------------------------
// Multi-point captures (core/multipoint.h, docs/multipoint.md): every repeated sighting of a
// message is a retransmission (same leg, later), a capture duplicate (same leg, same bytes,
// within 10 ms of the previous sighting there) or a copy at another capture point (another
// leg); responses link to the request on their own leg.

constexpr std::uint64_t kLegA = 0xA1;     // e.g. 10.35.60.72:5060 <-> 10.35.60.100:5060, UDP
constexpr std::uint64_t kLegB = 0xB2;     // e.g. 10.35.40.25:5060 <-> 10.35.40.200:5060, UDP
constexpr std::uint64_t kBytes = 0x1234;  // the fingerprint of one message's bytes

// `m` as captured on `leg`, with byte fingerprint `bytes` (0: unknown).
SipMessage seen(SipMessage m, FrameNum frame, TimeNs t, std::uint64_t leg,
                std::uint64_t bytes = kBytes) {
    m.frame = frame;
    m.time_ns = t;
    m.leg = leg;
    m.bytes_sig = bytes;
    return m;
}

TimeNs at_us(std::int64_t us) {
    return kT0 + us * 1000;
}

// What a message should be: 'f' the first sighting anywhere, 'r' a retransmission, 'd' a
// capture duplicate, 'c' a copy at another capture point; `of` the sighting it repeats; for a
// response the request it links to, for a request its final response.
struct Sight {
    char kind;
    FrameNum of;
    FrameNum link;
};

struct SightingRow {
    const char *name;
    Messages (*build)();
    std::vector<Sight> expect;  // one per message
};
SIPDIAG_PRINT_ROW(SightingRow)

SipMessage invite1() {
    return request(1, at(0), "INVITE", 1, "z9hG4bK.iIiIiI.0a232819.e9d4bd");
}

const SightingRow kSightingRows[] = {
    // The shape of ntop__nDPI/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap (frames 23-51): each message on
    // leg A, then on leg B, where the capture also saw it a second time within a millisecond.
    // Regression: every second sighting was a retransmission, and the responses of leg B linked
    // to the INVITE of leg A.
    {"regression_fax_call_two_legs_and_duplicates",
     [] {
         const SipMessage inv = invite1();
         const SipMessage r100 = response(inv, 0, 0, 100);
         const SipMessage r200 = response(inv, 0, 0, 200);
         return Messages{seen(inv, 23, at_us(0), kLegA),
                         seen(inv, 24, at_us(745), kLegB),
                         seen(r100, 25, at_us(1066), kLegA, 0x100),
                         seen(inv, 26, at_us(2173), kLegB),
                         seen(r100, 28, at_us(6719), kLegB, 0x100),
                         seen(r100, 29, at_us(6982), kLegB, 0x100),
                         seen(r200, 49, at_us(6841655), kLegA, 0x200),
                         seen(r200, 50, at_us(6843216), kLegB, 0x200),
                         seen(r200, 51, at_us(6843912), kLegB, 0x200)};
     },
     {{'f', 0, 49},
      {'c', 23, 50},
      {'f', 0, 23},
      {'d', 24, 0},
      {'c', 25, 24},
      {'d', 28, 24},
      {'f', 0, 23},
      {'c', 49, 24},
      {'d', 50, 24}}},
    {"retransmission_same_leg_later",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA), seen(invite1(), 2, at(500), kLegA)};
     },
     {{'f', 0, 0}, {'r', 1, 0}}},
    {"same_bytes_at_the_window_is_duplicate",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA), seen(invite1(), 2, at(10), kLegA)};
     },
     {{'f', 0, 0}, {'d', 1, 0}}},
    {"same_bytes_past_the_window_is_retransmission",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA), seen(invite1(), 2, at(10) + 1, kLegA)};
     },
     {{'f', 0, 0}, {'r', 1, 0}}},
    // Two 180s of one transaction from two forks (other To tags) can come a millisecond apart:
    // other bytes, so no duplicate.
    {"other_bytes_within_the_window_is_retransmission",
     [] {
         const SipMessage inv = invite1();
         return Messages{seen(inv, 1, at(0), kLegA),
                         seen(response(inv, 0, 0, 180), 2, at(50), kLegA, 0x180),
                         seen(response(inv, 0, 0, 180), 3, at(51), kLegA, 0x181)};
     },
     {{'f', 0, 0}, {'f', 0, 1}, {'r', 2, 1}}},
    {"unknown_bytes_are_never_a_duplicate",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA, 0), seen(invite1(), 2, at(1), kLegA, 0)};
     },
     {{'f', 0, 0}, {'r', 1, 0}}},
    // Timestamps going back (merged captures): not a duplicate.
    {"earlier_timestamp_is_not_a_duplicate",
     [] {
         return Messages{seen(invite1(), 1, at(5), kLegA), seen(invite1(), 2, at(4), kLegA)};
     },
     {{'f', 0, 0}, {'r', 1, 0}}},
    // Regression (fuzzer, tests/fuzz/regressions/correlator/duplicate_window_times_far_apart):
    // the time between two sightings overflowed, and two far apart looked like a duplicate.
    {"regression_times_far_apart_are_no_duplicate",
     [] {
         return Messages{seen(invite1(), 1, -9'000'000'000'000'000'000, kLegA),
                         seen(invite1(), 2, 9'000'000'000'000'000'000, kLegA)};
     },
     {{'f', 0, 0}, {'r', 1, 0}}},
    // Regression (fuzzer, tests/fuzz/regressions/correlator/request_is_no_response_code_0): a
    // request was the duplicate of a response of its transaction whose status was 0.
    {"regression_request_is_no_duplicate_of_a_status_0",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA),
                         seen(response(invite1(), 0, 0, 0), 2, at(1), kLegA),
                         seen(invite1(), 3, at(2), kLegA)};
     },
     {{'f', 0, 0}, {'f', 0, 1}, {'d', 1, 0}}},
    // A retransmission on leg B repeats the first sighting on leg B, not the first anywhere.
    {"retransmission_repeats_first_sighting_on_its_leg",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA), seen(invite1(), 2, at(1), kLegB),
                         seen(invite1(), 3, at(500), kLegA), seen(invite1(), 4, at(501), kLegB)};
     },
     {{'f', 0, 0}, {'c', 1, 0}, {'r', 1, 0}, {'r', 2, 0}}},
    // The duplicate of a retransmission repeats that retransmission (the previous sighting).
    {"duplicate_of_a_retransmission",
     [] {
         return Messages{seen(invite1(), 1, at(0), kLegA), seen(invite1(), 2, at(500), kLegA),
                         seen(invite1(), 3, at_us(500400), kLegA)};
     },
     {{'f', 0, 0}, {'r', 1, 0}, {'d', 2, 0}}},
    {"response_retransmissions_on_each_leg",
     [] {
         const SipMessage inv = invite1();
         const SipMessage ok = response(inv, 0, 0, 200);
         return Messages{seen(inv, 1, at(0), kLegA),         seen(inv, 2, at(1), kLegB),
                         seen(ok, 3, at(100), kLegA, 0x200), seen(ok, 4, at(101), kLegB, 0x200),
                         seen(ok, 5, at(600), kLegA, 0x200), seen(ok, 6, at(601), kLegB, 0x200)};
     },
     {{'f', 0, 3}, {'c', 1, 4}, {'f', 0, 1}, {'c', 3, 2}, {'r', 3, 1}, {'r', 4, 2}}},
    // Leg B saw only the response: it links to the request seen on leg A.
    {"response_without_request_on_its_leg_links_to_first_anywhere",
     [] {
         const SipMessage inv = invite1();
         return Messages{seen(inv, 1, at(0), kLegA),
                         seen(response(inv, 0, 0, 486), 2, at(100), kLegA, 0x486),
                         seen(response(inv, 0, 0, 486), 3, at(101), kLegB, 0x486)};
     },
     {{'f', 0, 2}, {'f', 0, 1}, {'c', 2, 1}}},
    // A response seen before any request, then the request on another leg.
    {"response_first_then_request_elsewhere",
     [] {
         const SipMessage inv = invite1();
         return Messages{seen(response(inv, 0, 0, 100), 1, at(0), kLegA, 0x100),
                         seen(inv, 2, at(1), kLegB),
                         seen(response(inv, 0, 0, 100), 3, at(2), kLegB, 0x100)};
     },
     {{'f', 0, 0}, {'f', 0, 0}, {'c', 1, 2}}},
    // Past kMaxLegs legs, a further leg is still told apart (a copy), only not remembered.
    {"more_legs_than_remembered",
     [] {
         Messages m;
         for (FrameNum i = 1; i <= 10; ++i) m.push_back(seen(invite1(), i, at(i), 0x100 + i));
         m.push_back(seen(invite1(), 11, at(600), 0x101));
         return m;
     },
     {{'f', 0, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'c', 1, 0},
      {'r', 1, 0}}},
    // Without leg information (unit tests, the adapter without addresses) nothing changes:
    // every repeat is a retransmission of the first sighting.
    {"unknown_leg_is_one_leg",
     [] {
         const SipMessage inv = invite1();
         return Messages{seen(inv, 1, at(0), 0, 0), seen(inv, 2, at(500), 0, 0),
                         seen(response(inv, 0, 0, 200), 3, at(600), 0, 0)};
     },
     {{'f', 0, 3}, {'r', 1, 0}, {'f', 0, 1}}},
};

class SightingTest : public testing::TestWithParam<SightingRow> {};

TEST_P(SightingTest, Classifies) {
    const SightingRow &row = GetParam();
    const Messages msgs = row.build();
    ASSERT_EQ(msgs.size(), row.expect.size());
    const Fed fed(msgs);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        SCOPED_TRACE("frame " + std::to_string(msgs[i].frame));
        const Record &r = fed.corr.record(fed.idx[i]);
        const Sight &e = row.expect[i];
        const char kind = r.retransmission()   ? 'r'
                          : r.copy_kind() == 1 ? 'd'
                          : r.copy_kind() == 2 ? 'c'
                                               : 'f';
        EXPECT_EQ(kind, e.kind);
        EXPECT_EQ(fed.corr.original_frame(r), e.of);
        EXPECT_EQ(r.repeated(), e.kind != 'f');
        EXPECT_EQ(msgs[i].is_request ? r.response_frame : r.request_frame, e.link);
    }
}

INSTANTIATE_TEST_SUITE_P(Multipoint, SightingTest, testing::ValuesIn(kSightingRows),
                         row_name<SightingRow>);

TEST(Multipoint, ResponseTimeFromTheRequestOnItsOwnLeg) {
    const SipMessage inv = invite1();
    const Fed fed({seen(inv, 1, at(0), kLegA), seen(inv, 2, at(30), kLegB),
                   seen(response(inv, 0, 0, 200), 3, at(100), kLegB, 0x200)});
    EXPECT_EQ(fed.corr.response_time(fed.corr.record(fed.idx[2])), 70 * kMs);
}

// A 302 and the client's retry, each seen at two capture points: the verdict, the diagnosis and
// the follow-up belong to the first sightings; the copies show what they repeat.
// Regression: the copy of the 302 got its own "not followed" verdict, and the copy of the retry
// was taken for a second follow-up.
TEST(Multipoint, RegressionCopiesGetNoSecondVerdict) {
    const SipMessage inv = request(1, at(0), "INVITE", 1, "z9hG4bK74bf9");
    const SipMessage r302 = with_contact(response(inv, 0, 0, 302), {"<sip:bob@192.0.2.4>"});
    const SipMessage retry = request(0, 0, "INVITE", 2, "z9hG4bK-retry", "sip:bob@192.0.2.4");
    const Fed fed({seen(inv, 1, at(0), kLegA), seen(inv, 2, at(1), kLegB),
                   seen(r302, 3, at(10), kLegA, 0x302), seen(r302, 4, at(11), kLegB, 0x302),
                   seen(ack(inv, 0, 0), 5, at(12), kLegA), seen(ack(inv, 0, 0), 6, at(13), kLegB),
                   seen(retry, 7, at(20), kLegA), seen(retry, 8, at(21), kLegB),
                   seen(response(retry, 0, 0, 200), 9, at(60), kLegA, 0x200),
                   seen(response(retry, 0, 0, 200), 10, at(61), kLegB, 0x200)});
    const Correlator &c = fed.corr;
    const Record &first = c.record(fed.idx[2]);
    const Record &copy = c.record(fed.idx[3]);
    EXPECT_EQ(c.outcome(first, true), Outcome::followed_ok);
    ASSERT_NE(c.diagnosis(first), nullptr);
    EXPECT_EQ(c.diagnosis(first)->followup_frame, 7u);
    EXPECT_EQ(c.diagnosis(first)->followup_response_frame, 9u);
    EXPECT_EQ(copy.copy_kind(), 2u);
    EXPECT_EQ(c.original_frame(copy), 3u);
    EXPECT_EQ(c.diagnosis(copy), nullptr);
    EXPECT_EQ(c.outcome(copy, true), Outcome::not_applicable);
    EXPECT_EQ(c.response_expert(copy), ExpertKind::none);
    EXPECT_EQ(c.summary(copy, true, Language::en, "Moved Temporarily"),
              "302 Moved Temporarily: copy of frame 3 seen at another capture point");
    EXPECT_EQ(c.summary(copy, true, Language::fr, "Moved Temporarily"),
              "302 Moved Temporarily : copie de la trame 3 vue à un autre point de capture");
    EXPECT_EQ(copy.request_frame, 2u);  // its own leg's INVITE
    const Record &retry_a = c.record(fed.idx[6]);
    const Record &retry_b = c.record(fed.idx[7]);
    EXPECT_EQ(retry_a.retry_of, 3u);
    EXPECT_EQ(retry_a.retry_applies(), true);
    EXPECT_EQ(retry_b.retry_of, 0u);
    EXPECT_EQ(retry_b.copy_kind(), 2u);
    EXPECT_EQ(c.original_frame(retry_b), 7u);
    EXPECT_EQ(retry_b.response_frame, 10u);
    EXPECT_FALSE(c.retry_applies(retry_b).has_value());
}

// The duplicate of a 302 on the same leg: no second diagnosis either.
TEST(Multipoint, DuplicateGetsNoSecondDiagnosis) {
    const SipMessage inv = invite1();
    const SipMessage r302 = with_contact(response(inv, 0, 0, 302), {"<sip:bob@192.0.2.4>"});
    const Fed fed({seen(inv, 1, at(0), kLegA), seen(r302, 2, at(10), kLegA, 0x302),
                   seen(r302, 3, at_us(10300), kLegA, 0x302)});
    const Record &first = fed.corr.record(fed.idx[1]);
    const Record &dup = fed.corr.record(fed.idx[2]);
    EXPECT_EQ(dup.copy_kind(), 1u);
    EXPECT_FALSE(dup.retransmission());
    ASSERT_NE(fed.corr.diagnosis(first), nullptr);
    EXPECT_EQ(fed.corr.diagnosis(dup), nullptr);
    EXPECT_EQ(fed.corr.outcome(first, true), Outcome::not_followed);
    EXPECT_EQ(fed.corr.outcome(dup, true), Outcome::not_applicable);
    EXPECT_EQ(fed.corr.response_expert(first), ExpertKind::redirect);
    EXPECT_EQ(fed.corr.response_expert(dup), ExpertKind::none);
    EXPECT_EQ(fed.corr.summary(dup, true, Language::en, "Moved Temporarily"),
              "302 Moved Temporarily: duplicate of frame 2 (the capture saw it twice)");
}

TEST(Multipoint, LegKeyIsUnorderedAndSeparatesTransports) {
    const Endpoint a{"\x0a\x23\x3c\x48", 5060}, b{"\x0a\x23\x3c\x64", 5060};
    EXPECT_EQ(leg_key(a, b, 17), leg_key(b, a, 17));
    EXPECT_NE(leg_key(a, b, 17), leg_key(a, b, 6));
    EXPECT_NE(leg_key(a, b, 17), leg_key(a, Endpoint{b.address, 5061}, 17));
    EXPECT_NE(leg_key(a, b, 17), leg_key(a, a, 17));
    EXPECT_NE(leg_key(a, b, 17), 0u);
}

TEST(Multipoint, BytesFingerprint) {
    const std::string msg =
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 10.35.40.25;branch=z9hG4bK1\r\n"
        "To: <sip:bob@example.com>;tag=aaaa\r\nContent-Length: 0\r\n\r\n";
    std::string fork = msg;
    fork[fork.find("tag=aaaa") + 4] = 'b';  // another fork: one byte differs, in the middle
    EXPECT_EQ(bytes_fingerprint(msg), bytes_fingerprint(std::string(msg)));
    EXPECT_NE(bytes_fingerprint(msg), bytes_fingerprint(fork));
    EXPECT_NE(bytes_fingerprint(msg), bytes_fingerprint(msg + " "));
    // Regression: only four 16-byte places were hashed, and the 180s of two forks (same length,
    // To tags 5801fork-a4 and 5802fork-b4 in the first third) were taken for one packet seen
    // twice (captures/agents/shape-fork.pcapng, frames 6 and 8).
    const std::string ringing =
        "SIP/2.0 180 Ringing\r\nTo: <sip:bob@example.com>;tag=5801fork-a4\r\n" +
        std::string(300, 'x') + "\r\n\r\n";
    std::string other_fork = ringing;
    other_fork.replace(other_fork.find("5801fork-a4"), 11, "5802fork-b4");
    ASSERT_EQ(ringing.size(), other_fork.size());
    EXPECT_NE(bytes_fingerprint(ringing), bytes_fingerprint(other_fork));
    EXPECT_NE(bytes_fingerprint(""), 0u);
    EXPECT_NE(bytes_fingerprint("a"), bytes_fingerprint("b"));
    // One byte changed anywhere (in a 64-byte step, across its eight words, in a 16-byte step,
    // or in the tail) and the messages are two.
    const std::string longer = msg + msg;
    for (std::size_t len : {15u, 16u, 17u, 63u, 64u, 65u, 100u, 129u, 143u, 170u}) {
        ASSERT_LE(len, longer.size());
        const std::string base = longer.substr(0, len);
        for (std::size_t at = 0; at < len; ++at) {
            std::string other = base;
            other[at] = static_cast<char>(other[at] ^ 0x20);
            EXPECT_NE(bytes_fingerprint(base), bytes_fingerprint(other)) << len << " " << at;
        }
    }
}

}  // namespace
}  // namespace sipdiag
