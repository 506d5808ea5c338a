// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/stats.h"

#include "wireshark/flow.h"
#include "wireshark/prefs.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace sipdiag::ws {

namespace {

int sipdiag_tap = -1;

// One tapped SIP message: a response (code != 0), or a request that settled responses.
struct TapInfo {
    const Correlator *corr;
    const guint64 *settled;  // responses whose outcome this message settled (single pass)
    guint64 key;             // the message's key()
    guint32 nsettled;
    guint16 code;  // 0 for a request
    guint8 outcome;
    gboolean retransmission;
    guint8 copy_kind;           // multi-point captures: Record::copy_kind()
    gboolean capture_complete;  // a later pass (-2, the GUI): every verdict is final
    const char *client_agent;   // the correlator's copy, valid while the capture is open
};

const char *kStCodes = "Responses by code";
const char *kStOutcome = "Follow-up outcome (302, 412, 422, 401, 407, 423)";
const char *kStRetrans = "Retransmitted responses";
const char *kStAgents = "Follow-up outcome by client software (User-Agent)";
// Single pass: "not followed" split by why no retry was seen (Correlator::capture_ends_in_window).
const char *kWindowExpired = "not followed (window expired)";
const char *kCaptureEnded = "capture ended";
const char *kNoAgent = "(no User-Agent)";
// Made on the first one only, so that captures without any keep their tree.
const char *kStCopies = "Duplicates and copies (not counted above)";
int st_codes = -1;
int st_outcome = -1;
int st_retrans = -1;
int st_agents = -1;

// Single pass (tshark without -2, live capture): a response's outcome is counted when it is
// settled (Correlator::settled), at the message that settles it; what is still open when the
// capture ends is counted then (count_open). Each tree keeps the responses it saw still open.
struct TreeState {
    stats_tree *st = nullptr;
    std::set<guint64> open;  // key() of the responses, in capture order
    // What the last count_open() added for responses that may still change (a GUI redraws
    // while capturing): taken back before the next one.
    struct Provisional {
        std::string agent;
        const char *label;
    };
    std::vector<Provisional> provisional;
};
std::vector<std::unique_ptr<TreeState>> g_trees;
const Correlator *g_corr = nullptr;  // the open capture's correlator (set by queue_tap)

// A record's key: its frame and its place in the frame.
guint64 key(FrameNum frame, std::uint8_t index) {
    return (static_cast<guint64>(frame) << 8) | index;
}

const Record *record_of(const Correlator &corr, guint64 k) {
    const auto [recs, n] = corr.frame_records(static_cast<FrameNum>(k >> 8));
    for (std::size_t i = 0; i < n; ++i) {
        if (recs[i].index == (k & 0xff)) return &recs[i];
    }
    return nullptr;
}

TreeState &state_of(stats_tree *st) {
    for (auto &t : g_trees) {
        if (t->st == st) return *t;
    }
    g_trees.push_back(std::make_unique<TreeState>());
    g_trees.back()->st = st;
    return *g_trees.back();
}

const char *agent_of(const Correlator &corr, const Record &r) {
    const Diagnosis *d = corr.diagnosis(r);
    const std::string &name = corr.agent_name(d ? d->client_agent : 0);
    return name.empty() ? kNoAgent : name.c_str();
}

// The outcome as the single-pass tree names it: the final verdict, with "not followed" split.
const char *single_pass_label(const Correlator &corr, const Record &r) {
    const Outcome o = corr.outcome(r, true);
    if (o == Outcome::not_followed) {
        return corr.capture_ends_in_window(*corr.diagnosis(r)) ? kCaptureEnded : kWindowExpired;
    }
    return outcome_name(o);
}

void count(stats_tree *st, const char *label, const char *agent, int n) {
    increase_stat_node(st, kStOutcome, 0, TRUE, n);
    increase_stat_node(st, label, st_outcome, FALSE, n);
    // Which software does not apply fixes: the outcomes per client agent.
    increase_stat_node(st, kStAgents, 0, TRUE, n);
    const int node = increase_stat_node(st, agent, st_agents, TRUE, n);
    increase_stat_node(st, label, node, FALSE, n);
}

void count_record(stats_tree *st, const Correlator &corr, const Record &r) {
    count(st, single_pass_label(corr, r), agent_of(corr, r), 1);
}

// The end of a single pass: the responses still open are counted as what they are now ("capture
// ended" when the capture stopped inside their window). Those that can still change are
// counted provisionally, and taken back at the next call.
void count_open(TreeState &t) {
    for (const TreeState::Provisional &p : t.provisional) count(t.st, p.label, p.agent.c_str(), -1);
    t.provisional.clear();
    if (g_corr == nullptr) return;
    const Correlator &corr = *g_corr;
    for (auto it = t.open.begin(); it != t.open.end();) {
        const Record *rec = record_of(corr, *it);
        if (rec == nullptr) {
            it = t.open.erase(it);
            continue;
        }
        const Record &r = *rec;
        const char *label = single_pass_label(corr, r);
        const char *agent = agent_of(corr, r);
        count(t.st, label, agent, 1);
        if (corr.settled(r)) {
            it = t.open.erase(it);
        } else {
            t.provisional.push_back(TreeState::Provisional{agent, label});
            ++it;
        }
    }
}

// The tree's end: a tap listener of our own whose draw runs before the tree's (tap listeners are
// drawn newest first and this one is registered by the tree's init, after the tree's listener;
// so in tshark, which draws once at the end, and in the GUI's statistics dialog). One for all
// trees, registered while any tree exists.
int g_finisher;  // its address is the listener's identity
bool g_finisher_registered = false;

void finisher_draw(void *) {
    for (auto &t : g_trees) count_open(*t);
}

void finisher_finish(void *) {
    g_finisher_registered = false;
}

tap_packet_status finisher_packet(void *, packet_info *, epan_dissect_t *, const void *,
                                  tap_flags_t) {
    return TAP_PACKET_DONT_REDRAW;
}

void register_finisher() {
    if (g_finisher_registered) {
        // Keep it drawn before the newest tree: register it again after that tree's listener.
        remove_tap_listener(&g_finisher);
    }
    // A helper: on its own it does not make Wireshark dissect (or keep dissecting) every packet.
    GString *err = register_tap_listener("sipdiag", &g_finisher, nullptr, TL_IS_DISSECTOR_HELPER,
                                         nullptr, finisher_packet, finisher_draw, finisher_finish);
    if (err != nullptr) {
        g_string_free(err, TRUE);
        return;
    }
    g_finisher_registered = true;
}

void stats_init(stats_tree *st) {
    st_codes = stats_tree_create_node(st, kStCodes, 0, STAT_DT_INT, TRUE);
    st_outcome = stats_tree_create_node(st, kStOutcome, 0, STAT_DT_INT, TRUE);
    st_retrans = stats_tree_create_node(st, kStRetrans, 0, STAT_DT_INT, FALSE);
    st_agents = stats_tree_create_node(st, kStAgents, 0, STAT_DT_INT, TRUE);
    TreeState &t = state_of(st);
    t.open.clear();
    t.provisional.clear();
    register_finisher();
}

void stats_cleanup(stats_tree *st) {
    for (auto it = g_trees.begin(); it != g_trees.end(); ++it) {
        if ((*it)->st == st) {
            g_trees.erase(it);
            break;
        }
    }
}

// The capture is closed: its record indices mean nothing any more.
void capture_closed() {
    g_corr = nullptr;
    for (auto &t : g_trees) {
        t->open.clear();
        t->provisional.clear();
    }
}

tap_packet_status stats_packet(stats_tree *st, packet_info *, epan_dissect_t *, const void *p,
                               tap_flags_t) {
    const auto *info = static_cast<const TapInfo *>(p);
    const Correlator &corr = *info->corr;
    TreeState &t = state_of(st);
    if (info->copy_kind != 0) {
        // The statistics count logical messages: a duplicate or a copy at another capture point
        // is the message already counted.
        const int node = tick_stat_node(st, kStCopies, 0, TRUE);
        tick_stat_node(
            st,
            info->copy_kind == 1 ? "duplicate on the same leg" : "copy at another capture point",
            node, FALSE);
    } else if (info->code != 0) {
        char name[16];
        g_snprintf(name, sizeof name, "%u", info->code);
        tick_stat_node(st, kStCodes, 0, TRUE);
        tick_stat_node(st, name, st_codes, FALSE);
        const auto o = static_cast<Outcome>(info->outcome);
        if (info->retransmission) {
            tick_stat_node(st, kStRetrans, 0, FALSE);
        } else if (o != Outcome::not_applicable && info->capture_complete) {
            count(st, outcome_name(o), info->client_agent[0] ? info->client_agent : kNoAgent, 1);
        } else if (o != Outcome::not_applicable) {
            const Record *r = record_of(corr, info->key);
            if (r != nullptr && corr.settled(*r)) {
                count_record(st, corr, *r);
            } else if (r != nullptr) {
                t.open.insert(info->key);
            }
        }
    }
    for (guint32 i = 0; i < info->nsettled; ++i) {
        // Counted by the trees that saw the response (a tree with a filter may not have).
        if (t.open.erase(info->settled[i]) == 0) continue;
        if (const Record *r = record_of(corr, info->settled[i])) count_record(st, corr, *r);
    }
    return TAP_PACKET_REDRAW;
}

}  // namespace

void queue_tap(packet_info *pinfo, const Correlator &corr, const Record &r) {
    flow::note(pinfo, corr, r, lang());  // every SIP message, requests too
    g_corr = &corr;
    if (!have_tap_listener(sipdiag_tap)) return;  // nobody would read it (-Y, -T fields, -V...)
    const bool complete = PINFO_FD_VISITED(pinfo);
    // Single pass: the responses this message settled.
    guint32 nsettled = 0;
    guint64 *settled = nullptr;
    if (!complete) {
        const auto [s, n] = corr.settled_in(r.frame);
        for (std::size_t i = 0; i < n; ++i) nsettled += s[i].by_message == r.index ? 1 : 0;
        if (nsettled != 0) {
            settled = static_cast<guint64 *>(wmem_alloc(pinfo->pool, nsettled * sizeof(guint64)));
            guint32 k = 0;
            for (std::size_t i = 0; i < n && k < nsettled; ++i) {
                if (s[i].by_message == r.index) settled[k++] = key(s[i].frame, s[i].index);
            }
        }
    }
    if (r.is_request() && nsettled == 0) return;
    auto *tap = static_cast<TapInfo *>(wmem_alloc0(pinfo->pool, sizeof(TapInfo)));
    tap->corr = &corr;
    tap->settled = settled;
    tap->nsettled = nsettled;
    tap->key = key(r.frame, r.index);
    tap->capture_complete = complete;
    tap->client_agent = "";
    if (!r.is_request()) {
        tap->code = r.code;
        tap->outcome = static_cast<guint8>(corr.outcome(r, complete));
        tap->retransmission = r.retransmission();
        tap->copy_kind = static_cast<guint8>(r.copy_kind());
        const Diagnosis *d = corr.diagnosis(r);
        tap->client_agent = corr.agent_name(d ? d->client_agent : 0).c_str();
    }
    tap_queue_packet(sipdiag_tap, pinfo, tap);
}

void register_stats() {
    sipdiag_tap = register_tap("sipdiag");
    stats_tree_register_plugin("sipdiag", "sipdiag", "SIP Response Diagnostics", 0, stats_packet,
                               stats_init, stats_cleanup);
    register_cleanup_routine(capture_closed);
}

}  // namespace sipdiag::ws
