// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/stats.h"

#include "wireshark/flow.h"
#include "wireshark/prefs.h"

namespace sipdiag::ws {

namespace {

int sipdiag_tap = -1;

struct TapInfo {
    guint16 code;
    guint8 outcome;
    gboolean retransmission;
    guint8 copy_kind;          // multi-point captures: Record::copy_kind()
    const char *client_agent;  // the correlator's copy, valid while the capture is open
};

const char *kStCodes = "Responses by code";
const char *kStOutcome = "Follow-up outcome (302, 412, 422, 401, 407, 423)";
const char *kStRetrans = "Retransmitted responses";
const char *kStAgents = "Follow-up outcome by client software (User-Agent)";
// Made on the first one only, so that captures without any keep their tree.
const char *kStCopies = "Duplicates and copies (not counted above)";
int st_codes = -1;
int st_outcome = -1;
int st_retrans = -1;
int st_agents = -1;

void stats_init(stats_tree *st) {
    st_codes = stats_tree_create_node(st, kStCodes, 0, STAT_DT_INT, TRUE);
    st_outcome = stats_tree_create_node(st, kStOutcome, 0, STAT_DT_INT, TRUE);
    st_retrans = stats_tree_create_node(st, kStRetrans, 0, STAT_DT_INT, FALSE);
    st_agents = stats_tree_create_node(st, kStAgents, 0, STAT_DT_INT, TRUE);
}

tap_packet_status stats_packet(stats_tree *st, packet_info *, epan_dissect_t *, const void *p,
                               tap_flags_t) {
    const auto *info = static_cast<const TapInfo *>(p);
    if (info->copy_kind != 0) {
        // The statistics count logical messages: a duplicate or a copy at another capture point
        // is the message already counted.
        const int node = tick_stat_node(st, kStCopies, 0, TRUE);
        tick_stat_node(
            st,
            info->copy_kind == 1 ? "duplicate on the same leg" : "copy at another capture point",
            node, FALSE);
        return TAP_PACKET_REDRAW;
    }
    char name[16];
    g_snprintf(name, sizeof name, "%u", info->code);
    tick_stat_node(st, kStCodes, 0, TRUE);
    tick_stat_node(st, name, st_codes, FALSE);
    if (info->retransmission) {
        tick_stat_node(st, kStRetrans, 0, FALSE);
        return TAP_PACKET_REDRAW;
    }
    const auto o = static_cast<Outcome>(info->outcome);
    if (o != Outcome::not_applicable) {
        tick_stat_node(st, kStOutcome, 0, TRUE);
        tick_stat_node(st, outcome_name(o), st_outcome, FALSE);
        // Which software does not apply fixes: the outcomes per client agent.
        tick_stat_node(st, kStAgents, 0, TRUE);
        const char *agent = info->client_agent[0] != '\0' ? info->client_agent : "(no User-Agent)";
        const int node = tick_stat_node(st, agent, st_agents, TRUE);
        tick_stat_node(st, outcome_name(o), node, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

}  // namespace

void queue_tap(packet_info *pinfo, const Correlator &corr, const Record &r) {
    flow::note(pinfo, corr, r, lang());  // every SIP message, requests too
    if (r.is_request()) return;
    auto *tap = static_cast<TapInfo *>(wmem_alloc0(pinfo->pool, sizeof(TapInfo)));
    tap->code = r.code;
    tap->outcome = static_cast<guint8>(corr.outcome(r, PINFO_FD_VISITED(pinfo)));
    tap->retransmission = r.retransmission();
    tap->copy_kind = static_cast<guint8>(r.copy_kind());
    const Diagnosis *d = corr.diagnosis(r);
    tap->client_agent = corr.agent_name(d ? d->client_agent : 0).c_str();
    tap_queue_packet(sipdiag_tap, pinfo, tap);
}

void register_stats() {
    sipdiag_tap = register_tap("sipdiag");
    stats_tree_register_plugin("sipdiag", "sipdiag", "SIP Response Diagnostics", 0, stats_packet,
                               stats_init, nullptr);
}

}  // namespace sipdiag::ws
