// SPDX-License-Identifier: GPL-2.0-or-later
// The "SIP diagnostics" flow type (see flow.h).
//
// Memory: nothing is kept per message here. Each arrow is a seq_analysis_item_t that Wireshark
// allocates, owns and frees with the flow graph; we only add its label and comment strings. The
// facts come from the correlator, which keeps them anyway for the packet tree.

#include "wireshark/flow.h"

#include "wireshark/ws_compat.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace sipdiag::ws::flow {

namespace {

// ---------------------------------------------------------------------------------------------
// Links between records (the correlator's frame numbers), followed a few steps at most.

constexpr int kMaxHops = 8;

// The request a response answers.
const Record *find_request(const Correlator &c, const Record &resp) {
    if (resp.request_frame == 0) return nullptr;
    const auto [recs, n] = c.frame_records(resp.request_frame);
    const Record *same_method = nullptr;
    for (std::size_t i = 0; i < n; ++i) {
        const Record &q = recs[i];
        if (!q.is_request()) continue;
        if (q.response_frame == resp.frame) return &q;
        if (same_method == nullptr && q.method == resp.method) same_method = &q;
    }
    return same_method;
}

// The response with `code` in `frame` (its first copy in that frame).
const Record *find_response(const Correlator &c, FrameNum frame, unsigned code) {
    if (frame == 0) return nullptr;
    const auto [recs, n] = c.frame_records(frame);
    for (std::size_t i = 0; i < n; ++i) {
        if (!recs[i].is_request() && recs[i].code == code) return &recs[i];
    }
    return nullptr;
}

// The first copy of a retransmitted message (or the sighting a multi-point copy repeats).
const Record *find_original(const Correlator &c, const Record &r) {
    const FrameNum original = c.original_frame(r);
    if (original == 0) return nullptr;
    const auto [recs, n] = c.frame_records(original);
    for (std::size_t i = 0; i < n; ++i) {
        const Record &o = recs[i];
        if (o.is_request() != r.is_request() || o.retransmission()) continue;
        if (r.is_request() ? o.method == r.method : o.code == r.code) return &o;
    }
    return nullptr;
}

bool request_in_flow(const Correlator &c, const Record &q, int hops) {
    if (q.retry_of != 0 || q.has_detail() || q.code >= 300) return true;
    if (hops > 0 && q.repeated()) {
        const Record *o = find_original(c, q);
        return o != nullptr && request_in_flow(c, *o, hops - 1);
    }
    return false;
}

bool response_in_flow(const Correlator &c, const Record &r) {
    if (r.code >= 300 || r.has_detail()) return true;
    const Record *q = find_request(c, r);
    return q != nullptr && request_in_flow(c, *q, 1);
}

// The correlator's call of a record (index + 1), 0 when it is in none.
std::uint16_t conv_of(const Correlator &c, const Record *r, int hops) {
    if (r == nullptr || hops <= 0) return 0;
    if (r->is_request()) {
        if (r->retry_of != 0)
            return conv_of(c, find_response(c, r->retry_of, c.retry_of_code(*r)), hops - 1);
        if (r->repeated()) return conv_of(c, find_original(c, *r), hops - 1);
        if (r->response_frame != 0)
            return conv_of(c, find_response(c, r->response_frame, r->code), hops - 1);
        return 0;
    }
    const Diagnosis *d = c.diagnosis(*r);
    if (d != nullptr && d->call != UINT32_MAX) {
        return static_cast<std::uint16_t>(d->call % 0xFFFFu + 1);
    }
    if (r->repeated()) return conv_of(c, find_original(c, *r), hops - 1);
    const Record *q = find_request(c, *r);
    if (q == nullptr) return 0;
    if (q->retry_of != 0)
        return conv_of(c, find_response(c, q->retry_of, c.retry_of_code(*q)), hops - 1);
    if (q->response_frame != 0 && q->response_frame != r->frame)
        return conv_of(c, find_response(c, q->response_frame, q->code), hops - 1);
    return 0;
}

// A proxy relays what it gets: the same response (call, code, CSeq) seen earlier in the call
// under another top Via branch is the one this is a copy of; for a request, the request of such
// an earlier response's pair that came first.
FrameNum response_copy_of(const Correlator &c, const Record &r, const Diagnosis &d) {
    const std::vector<CallEntry> *entries = c.call(d);
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame >= r.frame || e.code != r.code) continue;
        const Diagnosis *ed = c.diagnosis(c.record(e.record));
        if (ed != nullptr && ed->cseq == d.cseq && ed->branch != d.branch) return e.frame;
    }
    return 0;
}

// The later copy a proxy relayed of this response (seen only once the capture is read on).
FrameNum response_relayed_as(const Correlator &c, const Record &r, const Diagnosis &d) {
    const std::vector<CallEntry> *entries = c.call(d);
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame <= r.frame || e.code != r.code) continue;
        const Diagnosis *ed = c.diagnosis(c.record(e.record));
        if (ed != nullptr && ed->cseq == d.cseq && ed->branch != d.branch) return e.frame;
    }
    return 0;
}

FrameNum request_copy_of(const Correlator &c, const Record &q) {
    const Record *resp = find_response(c, q.response_frame, q.code);
    const Diagnosis *d = resp ? c.diagnosis(*resp) : nullptr;
    const std::vector<CallEntry> *entries = d ? c.call(*d) : nullptr;
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame == resp->frame || e.code != resp->code) continue;
        const Record &er = c.record(e.record);
        const Diagnosis *ed = c.diagnosis(er);
        if (ed != nullptr && ed->cseq == d->cseq && ed->branch != d->branch &&
            er.request_frame != 0 && er.request_frame < q.frame) {
            return er.request_frame;
        }
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Texts

struct Tr {
    bool fr;
    const char *operator()(const char *en, const char *f) const { return fr ? f : en; }
};

std::string num(std::uint64_t v) {
    return std::to_string(v);
}

// Appends one clause; French puts a space before the semicolon.
void add(std::string &out, bool fr, const std::string &part) {
    if (part.empty()) return;
    if (!out.empty()) out += fr ? " ; " : "; ";
    out += part;
}

}  // namespace

bool make_step(const Correlator &corr, const Record &r, bool complete, Step *out,
               std::uint16_t *conv) {
    const bool in_flow = r.is_request() ? request_in_flow(corr, r, 2) : response_in_flow(corr, r);
    if (!in_flow) return false;
    Step s;
    s.rec = &r;
    s.method = corr.method_name(r.method).c_str();
    s.corr = &corr;
    s.complete = complete;
    s.detail = corr.diagnosis(r);
    s.outcome = corr.outcome(r, complete);
    if (r.is_request()) {
        if (r.retry_of != 0) {
            s.reacts_to = find_response(corr, r.retry_of, corr.retry_of_code(r));
            if (s.reacts_to != nullptr) {
            }
        }
        if (!r.retransmission() && r.response_frame != 0) s.copy_of = request_copy_of(corr, r);
    } else {
        const Record *q = find_request(corr, r);
        if (q != nullptr && q->retry_of != 0) {
            s.answers_retry_of = find_response(corr, q->retry_of, corr.retry_of_code(*q));
        }
        if (!r.retransmission() && s.detail != nullptr) {
            s.copy_of = response_copy_of(corr, r, *s.detail);
            s.relayed_as = response_relayed_as(corr, r, *s.detail);
        }
    }
    *out = s;
    *conv = conv_of(corr, &r, kMaxHops);
    return true;
}

std::string label(const Step &s) {
    if (!s.rec->is_request()) return num(s.rec->code);
    return s.method[0] != '\0' ? std::string(s.method) : std::string("request");
}

std::string comment(const Step &s, kb::Lang lang) {
    const Tr tr{lang == kb::Lang::fr};
    const Language language = lang == kb::Lang::fr ? Language::fr : Language::en;
    const Record &r = *s.rec;
    const Correlator &corr = *s.corr;
    std::string out;
    if (r.retransmission()) {
        return tr("retransmission of frame ", "retransmission de la trame ") +
               num(corr.original_frame(r));
    }
    if (r.copy_kind() == 1) {
        return tr("duplicate of frame ", "doublon de la trame ") + num(corr.original_frame(r));
    }
    if (r.copy_kind() == 2) {
        return tr("copy of frame ", "copie de la trame ") + num(corr.original_frame(r)) +
               tr(" seen at another capture point", " vue à un autre point de capture");
    }
    if (s.copy_of != 0) {
        add(out, tr.fr,
            tr("copy of frame ", "copie de la trame ") + num(s.copy_of) +
                tr(" relayed by a proxy", " relayée par un proxy"));
    }
    if (r.is_request()) {
        if (s.reacts_to != nullptr) {
            add(out, tr.fr, corr.retry_summary(r, language));
        } else if (r.response_frame != 0 && r.code >= 300) {
            add(out, tr.fr,
                tr("answered with ", "réponse ") + num(r.code) + tr(" in frame ", " en trame ") +
                    num(r.response_frame));
        }
        return out;
    }
    if (s.answers_retry_of != nullptr) {
        std::string a = tr("answer to the retry after the ", "réponse à la relance après le ") +
                        num(s.answers_retry_of->code) + tr(" in frame ", " de la trame ") +
                        num(s.answers_retry_of->frame);
        if (r.code >= 200 && r.code < 300) a += tr(": success", " : succès");
        add(out, tr.fr, a);
    }
    if (s.relayed_as != 0 && s.outcome != Outcome::followed_ok && s.outcome != Outcome::wrong_fix) {
        // The proxy's own "no retry" is not the client's: the verdict is on the copy.
        add(out, tr.fr,
            tr("relayed to the client as frame ", "relayé au client en trame ") +
                num(s.relayed_as) + tr(" (verdict there)", " (verdict là-bas)"));
        return out;
    }
    // The diagnosis of the response: sipdiag.summary without its "CODE Reason: " (the arrow's
    // label already says the code).
    const kb::Entry *e = kb::lookup(r.code, lang);
    const std::string summary = corr.summary(r, s.complete, language, e ? e->reason : "");
    const std::size_t colon = summary.find(tr(": ", " : "));
    if (colon != std::string::npos)
        add(out, tr.fr, summary.substr(colon + std::strlen(tr(": ", " : "))));
    if (out.empty() && e != nullptr) out = e->reason;  // a provisional or success: its name
    return out;
}

// ---------------------------------------------------------------------------------------------
// Wireshark side

namespace {

int g_flow_tap = -1;

// What the dissector hands the tap for one SIP message (in pinfo->pool).
struct Note {
    const Correlator *corr;
    const Record *rec;  // in the correlator's store: its side tables are found by its address
    bool complete;
    kb::Lang lang;
};

// A SIP endpoint is an address and a port: a UAC, a proxy and a UAS on one host (a lab, a
// loopback capture, an SBC with several legs) are separate columns of the ladder, as in sngrep.
// The item's address becomes the text "address:port" (allocated like the address it replaces;
// Wireshark frees it with the item).
void add_port(address *a, guint32 port) {
    if (port == 0 || a->type == AT_NONE) return;
    char *host = address_to_str(nullptr, a);
    char *text = g_strdup_printf(a->type == AT_IPv6 ? "[%s]:%u" : "%s:%u", host, port);
    wmem_free(nullptr, host);
    free_address(a);
    alloc_address_wmem(nullptr, a, AT_STRINGZ, static_cast<int>(strlen(text)) + 1, text);
    g_free(text);
}

tap_packet_status flow_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *, const void *data,
                              tap_flags_t) {
    auto *sainfo = static_cast<seq_analysis_info_t *>(tapdata);
    const auto *n = static_cast<const Note *>(data);
    std::string lab;
    std::string com;
    std::uint16_t conv = 0;
    try {
        Step s;
        if (!make_step(*n->corr, *n->rec, n->complete, &s, &conv)) return TAP_PACKET_DONT_REDRAW;
        lab = label(s);
        com = comment(s, n->lang);
    } catch (...) {
        return TAP_PACKET_DONT_REDRAW;
    }
    seq_analysis_item_t *sai = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (sai == nullptr) return TAP_PACKET_DONT_REDRAW;
    sai->frame_number = pinfo->num;
    sai->port_src = static_cast<guint16>(pinfo->srcport);
    sai->port_dst = static_cast<guint16>(pinfo->destport);
    add_port(&sai->src_addr, pinfo->srcport);
    add_port(&sai->dst_addr, pinfo->destport);
    sai->frame_label = g_strdup(lab.c_str());
    sai->comment = g_strdup(com.c_str());
    sai->conv_num = conv;
    sai->line_style = 1;
    sai->display = TRUE;
    g_queue_push_tail(sainfo->items, sai);
    return TAP_PACKET_REDRAW;
}

}  // namespace

void register_flow(int proto_id) {
    g_flow_tap = register_tap("sipdiag_flow");
    register_seq_analysis("sipdiag", "SIP diagnostics", proto_id, "sipdiag_flow",
                          TL_REQUIRES_NOTHING, flow_packet);
}

void note(packet_info *pinfo, const Correlator &corr, const Record &r, kb::Lang lang) {
    if (g_flow_tap < 0 || !have_tap_listener(g_flow_tap)) return;
    void *mem = wmem_alloc(pinfo->pool, sizeof(Note));
    auto *n = new (mem) Note{&corr, &r, PINFO_FD_VISITED(pinfo) != 0, lang};
    tap_queue_packet(g_flow_tap, pinfo, n);
}

}  // namespace sipdiag::ws::flow
