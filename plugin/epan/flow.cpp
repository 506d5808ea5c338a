// SPDX-License-Identifier: GPL-2.0-or-later
// The "SIP diagnostics" flow type (see flow.h).
//
// Memory: nothing is kept per message here. Each arrow is a seq_analysis_item_t that Wireshark
// allocates, owns and frees with the flow graph; we only add its label and comment strings. The
// facts come from the correlator, which keeps them anyway for the packet tree.

#include "epan/flow.h"

#include "epan/ws_compat.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace sipdiag::flow {

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

// The first copy of a retransmitted message.
const Record *find_original(const Correlator &c, const Record &r) {
    if (!r.retransmission() || r.original_frame == 0) return nullptr;
    const auto [recs, n] = c.frame_records(r.original_frame);
    for (std::size_t i = 0; i < n; ++i) {
        const Record &o = recs[i];
        if (o.is_request() != r.is_request() || o.retransmission()) continue;
        if (r.is_request() ? o.method == r.method : o.code == r.code) return &o;
    }
    return nullptr;
}

bool request_in_flow(const Correlator &c, const Record &q, int hops) {
    if (q.retry_of != 0 || q.has_detail() || q.response_code >= 300) return true;
    if (hops > 0 && q.retransmission()) {
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
            return conv_of(c, find_response(c, r->retry_of, r->retry_of_code), hops - 1);
        if (r->retransmission()) return conv_of(c, find_original(c, *r), hops - 1);
        if (r->response_frame != 0)
            return conv_of(c, find_response(c, r->response_frame, r->response_code), hops - 1);
        return 0;
    }
    const Detail *d = c.detail(*r);
    if (d != nullptr && d->call != UINT32_MAX) {
        return static_cast<std::uint16_t>(d->call % 0xFFFFu + 1);
    }
    if (r->retransmission()) return conv_of(c, find_original(c, *r), hops - 1);
    const Record *q = find_request(c, *r);
    if (q == nullptr) return 0;
    if (q->retry_of != 0)
        return conv_of(c, find_response(c, q->retry_of, q->retry_of_code), hops - 1);
    if (q->response_frame != 0 && q->response_frame != r->frame)
        return conv_of(c, find_response(c, q->response_frame, q->response_code), hops - 1);
    return 0;
}

// A proxy relays what it gets: the same response (call, code, CSeq) seen earlier in the call
// under another top Via branch is the one this is a copy of; for a request, the request of such
// an earlier response's pair that came first.
FrameNum response_copy_of(const Correlator &c, const Record &r, const Detail &d) {
    const std::vector<CallEntry> *entries = c.call(d);
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame >= r.frame || e.code != r.code) continue;
        const Detail *ed = c.detail(c.record(e.record));
        if (ed != nullptr && ed->cseq == d.cseq && ed->branch != d.branch) return e.frame;
    }
    return 0;
}

// The later copy a proxy relayed of this response (seen only once the capture is read on).
FrameNum response_relayed_as(const Correlator &c, const Record &r, const Detail &d) {
    const std::vector<CallEntry> *entries = c.call(d);
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame <= r.frame || e.code != r.code) continue;
        const Detail *ed = c.detail(c.record(e.record));
        if (ed != nullptr && ed->cseq == d.cseq && ed->branch != d.branch) return e.frame;
    }
    return 0;
}

FrameNum request_copy_of(const Correlator &c, const Record &q) {
    const Record *resp = find_response(c, q.response_frame, q.response_code);
    const Detail *d = resp ? c.detail(*resp) : nullptr;
    const std::vector<CallEntry> *entries = d ? c.call(*d) : nullptr;
    if (entries == nullptr) return 0;
    for (const CallEntry &e : *entries) {
        if (e.frame == resp->frame || e.code != resp->code) continue;
        const Record &er = c.record(e.record);
        const Detail *ed = c.detail(er);
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

std::string q_text(std::uint16_t q_milli) {
    std::string s = num(q_milli / 1000);
    unsigned frac = q_milli % 1000;
    if (frac != 0) {
        std::string f = std::to_string(1000 + frac).substr(1);  // three digits
        while (!f.empty() && f.back() == '0') f.pop_back();
        s += "." + f;
    }
    return s;
}

void add(std::string &out, const std::string &part) {
    if (part.empty()) return;
    if (!out.empty()) out += "; ";
    out += part;
}

std::string contacts_text(const Detail &d, Tr tr) {
    if (d.contacts.total == 0)
        return tr("no Contact: nowhere to retry", "aucun Contact : nulle part où réessayer");
    std::string s = tr("Contacts: ", "Contacts : ");
    constexpr std::size_t kShown = 3;
    for (std::size_t i = 0; i < d.contacts.entries.size() && i < kShown; ++i) {
        const ContactEntry &c = d.contacts.entries[i];
        if (i) s += ", ";
        s += c.star ? std::string("*") : c.uri;
        if (c.q_milli) s += " (q=" + q_text(*c.q_milli) + ")";
    }
    if (d.contacts.total > kShown) {
        s += tr(" and ", " et ") + num(d.contacts.total - kShown) + tr(" more", " de plus");
    }
    return s;
}

// Why the client's retry did not apply the fix of response `r`.
std::string why_wrong(const Record &r, const Detail &d, Tr tr) {
    switch (r.code) {
        case 302:
            return tr("it went to ", "elle vise ") + d.redirect_target +
                   tr(", none of the Contacts", ", qui n'est aucun des Contacts");
        case 412:
            if (d.if_match_repeated) {
                return tr("it sent a SIP-If-Match again instead of a fresh PUBLISH",
                          "elle renvoie un SIP-If-Match au lieu d'un PUBLISH neuf");
            }
            if (d.followup_response_code != 0) {
                return tr("its answer ", "sa réponse ") + num(d.followup_response_code) +
                       tr(" brought no new tag", " n'apporte pas de nouvelle étiquette");
            }
            return "";
        case 422:
            if (d.followup_response_code == 422) {
                return tr("rejected again with 422", "de nouveau rejetée par un 422");
            }
            if (!d.retry_session_expires) {
                return tr("it has no Session-Expires", "elle n'a pas de Session-Expires");
            }
            if (d.min_se && *d.retry_session_expires < *d.min_se) {
                return tr("Session-Expires ", "Session-Expires ") + num(*d.retry_session_expires) +
                       tr(" still below Min-SE ", " toujours sous le Min-SE ") + num(*d.min_se);
            }
            if (!d.retry_has_min_se)
                return tr("it has no Min-SE header", "elle n'a pas d'en-tête Min-SE");
            return "";
        case 401:
        case 407:
            if (d.credentials_rejected) {
                return tr("credentials refused: challenged again in frame ",
                          "identifiants refusés : nouveau défi en trame ") +
                       num(d.followup_response_frame);
            }
            if (!d.retry_has_credentials)
                return tr("it carried no credentials", "elle ne porte pas d'identifiants");
            return "";
        case 423:
            if (!d.retry_expires)
                return tr("it asked for no Expires", "elle ne demande pas d'Expires");
            if (d.topics.min_expires) {
                return tr("Expires ", "Expires ") + num(*d.retry_expires) +
                       tr(" still below Min-Expires ", " toujours sous le Min-Expires ") +
                       num(*d.topics.min_expires);
            }
            return "";
        default:
            return "";
    }
}

std::string verdict(const Record &r, const Detail &d, Outcome o, bool ends_in_window, Tr tr) {
    switch (o) {
        case Outcome::followed_ok: {
            std::string s = tr("fix applied by the retry in frame ",
                               "correctif appliqué par la nouvelle tentative en trame ") +
                            num(d.followup_frame);
            if (r.code == 302 && d.highest_q && !*d.highest_q) {
                s += tr(" (not the highest q)", " (pas le q le plus élevé)");
            }
            if (r.code == 412 && !d.new_etag.empty()) {
                s += tr(", new tag ", ", nouvelle étiquette ") + d.new_etag;
            }
            return s;
        }
        case Outcome::wrong_fix: {
            std::string s = tr("wrong fix: the retry in frame ",
                               "mauvais correctif : la nouvelle tentative en trame ") +
                            num(d.followup_frame);
            const std::string why = why_wrong(r, d, tr);
            s +=
                why.empty() ? tr(" did not apply it", " ne l'applique pas") : tr(": ", " : ") + why;
            return s;
        }
        case Outcome::not_followed: {
            std::string s =
                tr("not followed: no retry by the client", "non suivi : le client ne réessaie pas");
            if (ends_in_window) {
                s += tr(" (the capture ends inside the follow-up window)",
                        " (la capture s'arrête avant la fin de la fenêtre de suivi)");
            }
            return s;
        }
        case Outcome::pending:
            return tr("verdict pending: needs the whole capture (tshark -2)",
                      "verdict en attente : il faut toute la capture (tshark -2)");
        case Outcome::request_missing:
            return tr("request not in the capture: the client is unknown",
                      "requête absente de la capture : client inconnu");
        case Outcome::not_applicable:
            break;
    }
    return "";
}

std::string reason(unsigned code, kb::Lang lang) {
    const kb::Entry *e = kb::lookup(code, lang);
    return e != nullptr ? std::string(e->reason) : std::string();
}

// What the response itself says (before the verdict).
std::string response_facts(const Step &s, kb::Lang lang, Tr tr) {
    const Record &r = *s.rec;
    const Detail *d = s.detail;
    std::string out;
    switch (r.code) {
        case 302:
            if (d) add(out, contacts_text(*d, tr));
            break;
        case 412:
            if (d) {
                add(out, d->if_match.empty()
                             ? std::string(tr("stale entity tag", "étiquette d'entité périmée"))
                             : tr("stale tag ", "étiquette périmée ") + d->if_match);
                add(out, d->last_etag.empty()
                             ? std::string(tr("no tag issued in the capture",
                                              "aucune étiquette délivrée dans la capture"))
                             : tr("last issued ", "dernière délivrée ") + d->last_etag +
                                   tr(" (frame ", " (trame ") + num(d->last_etag_frame) + ")");
            }
            break;
        case 422:
            if (d && d->session_expires && d->min_se) {
                const bool below = *d->session_expires < *d->min_se;
                add(out, "Session-Expires " + num(*d->session_expires) +
                             (below ? std::string(" < Min-SE ")
                                    : tr(", not below Min-SE ", ", pas sous le Min-SE ")) +
                             num(*d->min_se));
            } else if (d && d->min_se) {
                add(out, "Min-SE " + num(*d->min_se));
            }
            break;
        case 401:
        case 407:
            if (d) {
                for (const AuthChallenge &c : d->topics.challenges) {
                    std::string ch = tr("challenge ", "défi ") + c.scheme;
                    if (!c.realm.empty()) ch += " realm=" + c.realm;
                    if (c.stale) ch += " stale";
                    add(out, ch);
                    break;  // the first one says enough here
                }
                if (d->topics.credentials_refused()) {
                    add(out, tr("the request already carried credentials: refused",
                                "la requête portait déjà des identifiants : refusés"));
                }
            }
            break;
        case 423:
            if (d && d->topics.expires && d->topics.min_expires) {
                add(out, "Expires " + num(*d->topics.expires) + " < Min-Expires " +
                             num(*d->topics.min_expires));
            }
            break;
        default: {
            // The reason phrase of a 1xx/2xx answering a retry adds nothing to "success".
            if (r.code >= 300 || s.answers_retry_of == nullptr) add(out, reason(r.code, lang));
            if (d == nullptr) break;
            const TopicDetail &t = d->topics;
            auto list = [](const std::vector<std::string> &v) {
                std::string joined;
                for (const std::string &x : v) joined += (joined.empty() ? "" : ", ") + x;
                return joined;
            };
            if (!t.unsupported.empty()) add(out, "Unsupported: " + list(t.unsupported));
            if (!t.required.empty()) add(out, "Require: " + list(t.required));
            if (!t.accept.empty()) add(out, "Accept: " + t.accept);
            for (const WarningValue &w : t.warnings) {
                add(out, "Warning " + num(w.code) + (w.text.empty() ? "" : " " + w.text));
            }
            if (!t.allow_events.empty()) add(out, "Allow-Events: " + t.allow_events);
            if (t.retry_after) {
                add(out, "Retry-After " + num(*t.retry_after) + " s");
            }
            break;
        }
    }
    return out;
}

// What the client's retry did about the response it reacts to.
std::string retry_facts(const Step &s, Tr tr) {
    const Record &resp = *s.reacts_to;
    const Detail *d = s.reacts_detail;
    std::string out = tr("retry after the ", "nouvelle tentative après le ") + num(resp.code) +
                      tr(" in frame ", " de la trame ") + num(resp.frame);
    if (d == nullptr) return out;
    std::string what;
    switch (resp.code) {
        case 302:
            what = tr("to ", "vers ") + d->redirect_target +
                   (d->followup_ok ? tr(", a Contact of the 302", ", un Contact du 302")
                                   : tr(", none of the Contacts", ", aucun des Contacts"));
            break;
        case 422:
            what = d->retry_session_expires
                       ? "Session-Expires " + num(*d->retry_session_expires)
                       : std::string(tr("no Session-Expires", "pas de Session-Expires"));
            if (d->min_se) what += tr(" (Min-SE ", " (Min-SE ") + num(*d->min_se) + ")";
            what += d->retry_has_min_se ? tr(", with Min-SE", ", avec Min-SE")
                                        : tr(", without Min-SE", ", sans Min-SE");
            break;
        case 412:
            what = d->if_match_repeated
                       ? tr("SIP-If-Match sent again", "SIP-If-Match renvoyé")
                       : tr("fresh PUBLISH without SIP-If-Match", "PUBLISH neuf sans SIP-If-Match");
            break;
        case 401:
        case 407:
            what = d->retry_has_credentials ? tr("with credentials", "avec identifiants")
                                            : tr("without credentials", "sans identifiants");
            break;
        case 423:
            what = d->retry_expires ? "Expires " + num(*d->retry_expires)
                                    : std::string(tr("no Expires", "pas d'Expires"));
            if (d->topics.min_expires) {
                what += tr(" (Min-Expires ", " (Min-Expires ") + num(*d->topics.min_expires) + ")";
            }
            break;
        default:
            break;
    }
    if (!what.empty()) out += tr(": ", " : ") + what;
    switch (s.reacts_outcome) {
        case Outcome::followed_ok:
            out += tr(": fix applied", " : correctif appliqué");
            break;
        case Outcome::wrong_fix:
            if (d->credentials_rejected) {
                out += tr(": credentials refused in frame ", " : identifiants refusés en trame ") +
                       num(d->followup_response_frame);
            } else {
                out += tr(": wrong fix", " : mauvais correctif");
            }
            break;
        case Outcome::pending:
            out += tr(": verdict once answered", " : verdict à sa réponse");
            break;
        default:
            break;
    }
    return out;
}

}  // namespace

bool make_step(const Correlator &corr, const Record &r, bool complete, Step *out,
               std::uint16_t *conv) {
    const bool in_flow = r.is_request() ? request_in_flow(corr, r, 2) : response_in_flow(corr, r);
    if (!in_flow) return false;
    Step s;
    s.rec = &r;
    s.method = corr.method_name(r.method).c_str();
    s.detail = corr.detail(r);
    s.outcome = corr.outcome(r, complete);
    s.ends_in_window = s.outcome == Outcome::not_followed && s.detail != nullptr &&
                       corr.capture_ends_in_window(*s.detail);
    if (r.is_request()) {
        if (r.retry_of != 0) {
            s.reacts_to = find_response(corr, r.retry_of, r.retry_of_code);
            if (s.reacts_to != nullptr) {
                s.reacts_detail = corr.detail(*s.reacts_to);
                s.reacts_outcome = corr.outcome(*s.reacts_to, complete);
            }
        }
        if (!r.retransmission() && r.response_frame != 0) s.copy_of = request_copy_of(corr, r);
    } else {
        const Record *q = find_request(corr, r);
        if (q != nullptr && q->retry_of != 0) {
            s.answers_retry_of = find_response(corr, q->retry_of, q->retry_of_code);
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
    const Record &r = *s.rec;
    std::string out;
    if (r.retransmission()) {
        return tr("retransmission of frame ", "retransmission de la trame ") +
               num(r.original_frame);
    }
    if (s.copy_of != 0) {
        add(out, tr("copy of frame ", "copie de la trame ") + num(s.copy_of) +
                     tr(" relayed by a proxy", " relayée par un proxy"));
    }
    if (r.is_request()) {
        if (s.reacts_to != nullptr) {
            add(out, retry_facts(s, tr));
        } else if (r.response_frame != 0 && r.response_code >= 300) {
            add(out, tr("answered with ", "réponse ") + num(r.response_code) +
                         tr(" in frame ", " en trame ") + num(r.response_frame));
        }
    } else {
        if (s.answers_retry_of != nullptr) {
            std::string a =
                tr("answer to the retry after the ", "réponse à la nouvelle tentative après le ") +
                num(s.answers_retry_of->code) + tr(" in frame ", " de la trame ") +
                num(s.answers_retry_of->frame);
            if (r.code >= 200 && r.code < 300) a += tr(": success", " : succès");
            add(out, a);
        }
        add(out, response_facts(s, lang, tr));
        if (s.relayed_as != 0 && s.outcome != Outcome::followed_ok &&
            s.outcome != Outcome::wrong_fix) {
            // The proxy's own "no retry" is not the client's: the verdict is on the copy.
            add(out, tr("relayed to the client as frame ", "relayé au client en trame ") +
                         num(s.relayed_as) + tr(" (verdict there)", " (verdict là-bas)"));
        } else if (s.detail != nullptr) {
            add(out, verdict(r, *s.detail, s.outcome, s.ends_in_window, tr));
            if (r.code == 302 && s.detail->later_request_frame != 0) {
                add(out, tr("later call in frame ", "appel suivant en trame ") +
                             num(s.detail->later_request_frame) +
                             (s.detail->later_kept_original
                                  ? tr(" kept the original URI", " garde l'URI d'origine")
                                  : tr(" went to the temporary Contact instead of the original URI",
                                       " vise le Contact temporaire au lieu de l'URI d'origine")));
            }
        }
    }
    if (s.detail != nullptr && !s.detail->issues.empty()) {
        const Issue &i = s.detail->issues.front();
        std::string p = tr("problem: ", "problème : ") + std::string(issue_name(i.kind));
        if (s.detail->issues.size() > 1) {
            p += " (+" + num(s.detail->issues.size() - 1) + ")";
        }
        add(out, p);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Wireshark side

namespace {

int g_flow_tap = -1;

// What the dissector hands the tap for one SIP message (in pinfo->pool).
struct Note {
    const Correlator *corr;
    Record rec;
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
        if (!make_step(*n->corr, n->rec, n->complete, &s, &conv)) return TAP_PACKET_DONT_REDRAW;
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
    auto *n = new (mem) Note{&corr, r, PINFO_FD_VISITED(pinfo) != 0, lang};
    tap_queue_packet(g_flow_tap, pinfo, n);
}

}  // namespace sipdiag::flow
