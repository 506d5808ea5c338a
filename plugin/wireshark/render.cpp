// SPDX-License-Identifier: GPL-2.0-or-later
// The parts of the tree common to every response and request: the code, the request link,
// retransmissions, problems, the follow-up verdict and the call view. Each rule family adds its
// own subtree (render_<family>.cpp) through the table below.
#include "wireshark/render.h"

#include "wireshark/extract.h"
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/sip_hook.h"

#include <array>
#include <cstdlib>
#include <cstring>

namespace sipdiag::ws {

namespace {

// One row per rule, by RuleId.
constexpr std::array<RuleRenderer, static_cast<std::size_t>(RuleId::count_)> kRenderers = {{
    {nullptr, nullptr},                           // none
    {render_redirect, render_redirect_followup},  // redirect
    {render_publish, render_publish_followup},    // conditional_publish
    {render_timer, render_timer_followup},        // session_timer
    {render_challenge, nullptr},                  // challenge
    {render_interval, nullptr},                   // interval
    {render_evidence, nullptr},                   // evidence
}};

// A label that only depends on the language and a small value (the knowledge base is static),
// kept once built.
struct KeptLabel {
    bool built = false;
    kb::Lang lang = kb::Lang::en;
    char text[ITEM_LABEL_LENGTH] = "";
};

// The parts of a message's tree a hidden tree in tshark needs (-Y with a sipdiag field, -T fields
// -e sipdiag.*): Wireshark fakes the items nobody names one by one, and a rule's subtree, the
// follow-up and the problems cost about 1,000 instructions per diagnosed response to fake. A part
// is built when a filter or an -e names one of its fields (by the fields' names: the part's
// prefixes below), or when anything could see an expert info (an expert field named, the expert
// tap, an Expert column, a tap of the plugin): expert infos are added in those parts. A visible
// tree, Wireshark, and SIPDIAG_RENDER_ALL=1 in the environment build everything. Read once per
// tshark pass: tshark marks the fields of its filters and -e before the pass (names_a_field in
// sip_hook.cpp says more).
constexpr std::size_t kRuleParts = static_cast<std::size_t>(RuleId::count_);
constexpr std::size_t kFollowupPart = kRuleParts;
constexpr std::size_t kProblemsPart = kRuleParts + 1;
constexpr std::size_t kExplanationPart = kRuleParts + 2;  // no expert info in it
constexpr std::size_t kParts = kRuleParts + 3;

struct Needs {
    bool all = true;  // everything: the tree is shown, or an expert info can be seen
    bool part[kParts] = {};
    bool rule(RuleId r) const { return all || part[static_cast<std::size_t>(r)]; }
    bool followup(RuleId r) const { return rule(r) || part[kFollowupPart]; }
    bool problems() const { return all || part[kProblemsPart]; }
    bool explanation() const { return all || part[kExplanationPart]; }
    bool experts() const { return all; }
};

// A field name (or, ending with '.' or '_', its start) and the part that adds it.
struct PartField {
    const char *name;
    std::size_t part;
};
constexpr std::size_t rule_part(RuleId r) {
    return static_cast<std::size_t>(r);
}
const PartField kPartFields[] = {
    {"sipdiag.redirect.", rule_part(RuleId::redirect)},
    {"sipdiag.publish.", rule_part(RuleId::conditional_publish)},
    {"sipdiag.timer.", rule_part(RuleId::session_timer)},
    {"sipdiag.auth.", rule_part(RuleId::challenge)},
    {"sipdiag.retry_after", rule_part(RuleId::challenge)},
    {"sipdiag.interval.", rule_part(RuleId::interval)},
    {"sipdiag.retry_after", rule_part(RuleId::interval)},
    {"sipdiag.options.", rule_part(RuleId::evidence)},
    {"sipdiag.media.", rule_part(RuleId::evidence)},
    {"sipdiag.warning.", rule_part(RuleId::evidence)},
    {"sipdiag.event.", rule_part(RuleId::evidence)},
    {"sipdiag.glare.", rule_part(RuleId::evidence)},
    {"sipdiag.security.", rule_part(RuleId::evidence)},
    {"sipdiag.retry_after", rule_part(RuleId::evidence)},
    {"sipdiag.followup_", kFollowupPart},
    {"sipdiag.outcome", kFollowupPart},
    {"sipdiag.problem", kProblemsPart},
    {"sipdiag.site_hint", kExplanationPart},
    {"sipdiag.reason", kExplanationPart},
    {"sipdiag.meaning", kExplanationPart},
    {"sipdiag.when", kExplanationPart},
    {"sipdiag.fix", kExplanationPart},
    {"sipdiag.rfc", kExplanationPart},
    {"sipdiag.note", kExplanationPart},
    {"sipdiag.compare.", kExplanationPart},
};

bool names_part(const char *abbrev, const char *name) {
    const std::size_t n = strlen(name);
    const char last = name[n - 1];
    return strncmp(abbrev, name, n) == 0 && (last == '.' || last == '_' || abbrev[n] == '\0');
}

Needs read_needs() {
    Needs n;
    n.all = false;
    const int expert = proto_get_id_by_filter_name("_ws.expert");
    if (expert >= 0) {
        const header_field_info *e = proto_registrar_get_nth(expert);
        if (e == nullptr || e->ref_type != HF_REF_TYPE_NONE) n.all = true;
        void *cookie = nullptr;
        for (header_field_info *h = proto_get_first_protocol_field(expert, &cookie);
             h != nullptr && !n.all; h = proto_get_next_protocol_field(expert, &cookie)) {
            n.all = h->ref_type != HF_REF_TYPE_NONE;
        }
    }
    void *cookie = nullptr;
    for (header_field_info *h = proto_get_first_protocol_field(proto_sipdiag, &cookie);
         h != nullptr && !n.all; h = proto_get_next_protocol_field(proto_sipdiag, &cookie)) {
        if (h->ref_type == HF_REF_TYPE_NONE || h->abbrev == nullptr) continue;
        if (is_expert_field(h->id)) n.all = true;
        for (const PartField &f : kPartFields) {
            if (names_part(h->abbrev, f.name)) n.part[f.part] = true;
        }
    }
    return n;
}

const Needs &needs(const packet_info *pinfo, proto_tree *tree) {
    static const Needs kAll;
    static const bool everything =
        std::getenv("SIPDIAG_RENDER_ALL") != nullptr || !hook::in_tshark();
    if (everything || tree == nullptr || PTREE_DATA(tree) == nullptr || label_visible(tree)) {
        return kAll;
    }
    static int pass = -1;
    static Needs kept;
    const int now = PINFO_FD_VISITED(pinfo) ? 1 : 0;
    if (pass != now) {
        // What sees this pass from outside the tree is fixed for a tshark pass too.
        kept = hook::seen_from_outside(pinfo) ? kAll : read_needs();
        pass = now;
    }
    return kept;
}

void add_expert(packet_info *pinfo, proto_item *item, ExpertKind kind) {
    if (!needs(pinfo, item).experts()) return;  // nothing can see it (about 1,700 instructions)
    if (expert_field *ei = expert_for(kind)) expert_add_info(pinfo, item, ei);
}

// The outcome in the title of the follow-up subtree, in the user's language.
const char *outcome_text(Outcome o) {
    switch (o) {
        case Outcome::pending:
            return label(kb::Label::outcome_pending);
        case Outcome::followed_ok:
            return label(kb::Label::outcome_followed_ok);
        case Outcome::wrong_fix:
            return label(kb::Label::outcome_wrong_fix);
        case Outcome::not_followed:
            return label(kb::Label::outcome_not_followed);
        case Outcome::request_missing:
            return label(kb::Label::outcome_request_missing);
        default:
            return val_to_str_const(static_cast<guint32>(o), kOutcomeVals, "unknown");
    }
}

void render_problems(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const Diagnosis &d) {
    for (const Issue &issue : d.issues) {
        const char *name = issue_name(issue.kind);
        const char *detail = issue.detail.c_str();
        char shown[ITEM_LABEL_LENGTH];
        if (name != nullptr && label_visible(tree)) {
            kb::tree_label(shown, sizeof shown, name, detail, lang());
        } else {
            name = nullptr;  // the label is not read: the value alone
        }
        proto_item *it = add_string_text(tree, hf_sipdiag_problem, tvb, detail, nullptr,
                                         name != nullptr ? shown : detail);
        add_expert(pinfo, it, issue_expert(issue.kind));
    }
}

// The title of the follow-up subtree: "Follow-up: <outcome>" in the user's language.
const char *followup_title(Outcome o) {
    static KeptLabel kept[static_cast<std::size_t>(Outcome::request_missing) + 1];
    const auto i = static_cast<std::size_t>(o);
    const kb::Lang l = lang();
    if (i >= sizeof kept / sizeof kept[0]) {  // not kept
        static char text[ITEM_LABEL_LENGTH];
        kb::tree_label(text, sizeof text, label(kb::Label::followup), outcome_text(o), l);
        return text;
    }
    KeptLabel &k = kept[i];
    if (!k.built || k.lang != l) {
        kb::tree_label(k.text, sizeof k.text, label(kb::Label::followup), outcome_text(o), l);
        k.built = true;
        k.lang = l;
    }
    return k.text;
}

void render_followup(const RenderCtx &c, const RuleRenderer *rr) {
    const Diagnosis &d = c.d;
    const Outcome outcome = c.verdict.outcome;
    proto_item *top = nullptr;
    const bool shown = label_visible(c.tree);  // else the title is never read
    const char *title = shown ? followup_title(outcome) : "";
    proto_tree *sub =
        add_text_subtree(c.tree, c.tvb, ett_sipdiag_followup, &top, title, strlen(title));
    add_gen_uint(sub, hf_sipdiag_outcome, c.tvb, static_cast<guint32>(outcome));
    if (shown && outcome == Outcome::not_followed && c.corr.capture_ends_in_window(d)) {
        const Num after(static_cast<double>(c.corr.last_time() - d.time_ns) / 1e9, 1);
        const Num window(pref_followup_window);
        const char *args[] = {after.s, window.s};
        proto_item_append_text(top, " %s", fmt(c.pinfo, kb::Label::capture_ends, args));
    }
    if (d.followup_frame != 0) {
        add_gen_uint(sub, hf_sipdiag_followup_frame, c.tvb, d.followup_frame);
        if (c.verdict.decided) add_gen_bool(sub, hf_sipdiag_followup_ok, c.tvb, c.verdict.ok);
        if (rr != nullptr && rr->followup != nullptr) rr->followup(c, sub);
        if (d.followup_response_frame != 0) {
            add_gen_uint(sub, hf_sipdiag_followup_response_frame, c.tvb, d.followup_response_frame);
            add_gen_uint(sub, hf_sipdiag_followup_response_code, c.tvb, d.followup_response_code);
        }
    }
    add_expert(c.pinfo, top, c.verdict.expert);
}

// "302 (frame 4, fixed) -> 200 (frame 9, ...)": built only when the field can be seen or
// filtered on (a format per entry).
void render_call_summary(const RenderCtx &c, const std::vector<CallEntry> &entries, bool complete) {
    if (!proto_field_is_referenced(c.tree, hf_sipdiag_call_summary)) return;
    wmem_strbuf_t *sb = wmem_strbuf_new(c.pinfo->pool, "");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const CallEntry &e = entries[i];
        const Outcome o = c.corr.outcome(c.corr.record(e.record), complete);
        wmem_strbuf_append_printf(sb, "%s%u (frame %u, %s)", i ? " -> " : "", e.code, e.frame,
                                  outcome_name(o));
    }
    add_gen_string(c.tree, hf_sipdiag_call_summary, c.tvb, wmem_strbuf_get_str(sb));
}

void render_call(const RenderCtx &c, bool complete) {
    const std::vector<CallEntry> *entries = c.corr.call(c.d);
    if (entries == nullptr || entries->size() < 2) return;
    render_call_summary(c, *entries, complete);
    render_call_hints(c, *entries);
}

// "<code> <reason> (<class>xx <class name>)", the text of a response's protocol item; `e` is the
// code's entry in the user's language (or null).
void build_item_text(char *out, unsigned code, const kb::Entry *e) {
    const unsigned cls = code / 100;
    std::size_t n = label_append(out, 0, code);
    n = label_append(out, n, " ");
    n = label_append(out, n, e ? e->reason : "");
    n = label_append(out, n, " (");
    n = label_append(out, n, cls);
    n = label_append(out, n, "xx ");
    n = label_append(out, n, kb::class_name(cls, lang()));
    label_append(out, n, ")");
}

const char *response_item_text(unsigned code, const kb::Entry *e) {
    constexpr unsigned kFirst = 100, kLast = 699;  // the codes the knowledge base knows
    static KeptLabel kept[kLast - kFirst + 1];
    if (code < kFirst || code > kLast) {
        static char text[ITEM_LABEL_LENGTH];
        build_item_text(text, code, e);
        return text;
    }
    KeptLabel &k = kept[code - kFirst];
    const kb::Lang l = lang();
    if (!k.built || k.lang != l) {
        build_item_text(k.text, code, e);
        k.built = true;
        k.lang = l;
    }
    return k.text;
}

// sipdiag.summary, copied into the packet's pool (no C++ object outlives this function, and no
// C++ exception leaves it); null when it cannot be built.
const char *summary_text(packet_info *pinfo, const Correlator &corr, const Record &r, bool complete,
                         const kb::Entry *e) noexcept {
    try {
        const std::string s = corr.summary(
            r, complete, lang() == kb::Lang::fr ? Language::fr : Language::en, e ? e->reason : "");
        return s.empty() ? nullptr : wmem_strndup(pinfo->pool, s.data(), s.size());
    } catch (...) {
        return nullptr;
    }
}

// Multi-point captures: a capture duplicate or a copy at another capture point, and the
// sighting it repeats (core/multipoint.h).
void render_copy(proto_tree *t, tvbuff_t *tvb, const Correlator &corr, const Record &r) {
    if (r.copy_kind() == 0) return;
    add_gen_uint(t, hf_sipdiag_copy_kind, tvb, r.copy_kind());
    add_gen_uint(t, hf_sipdiag_copy_of, tvb, corr.original_frame(r));
}

proto_item *add_message_item(proto_tree *tree, tvbuff_t *tvb, const MessagePos &pos) {
    proto_item *ti = proto_tree_add_item(tree, proto_sipdiag, pos.tvb ? pos.tvb : tvb,
                                         pos.tvb ? pos.start : 0, pos.tvb ? pos.length : 0, ENC_NA);
    proto_item_set_generated(ti);
    return ti;
}

}  // namespace

const RuleRenderer *renderer_for(RuleId rule) {
    const RuleRenderer &rr = kRenderers[static_cast<std::size_t>(rule)];
    return rr.detail != nullptr ? &rr : nullptr;
}

proto_item *add_gen_string(proto_tree *t, int hf, tvbuff_t *tvb, const std::string &v) {
    return add_gen_string(t, hf, tvb, v.c_str());
}

proto_item *add_gen_string(proto_tree *t, int hf, tvbuff_t *tvb, const char *v) {
    return add_string_item(t, hf, tvb, v);
}

proto_item *add_gen_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v) {
    return add_uint_item(t, hf, tvb, v);
}

proto_item *add_gen_bool(proto_tree *t, int hf, tvbuff_t *tvb, bool v) {
    return add_bool_item(t, hf, tvb, v);
}

void render_retry_after(const RenderCtx &c) {
    if (!c.d.retry_after) return;
    proto_item *it = add_gen_uint(c.tree, hf_sipdiag_retry_after, c.tvb, *c.d.retry_after);
    add_expert(c.pinfo, it, ExpertKind::retry_after_given);
}

void render_response(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                     const Correlator &corr, const Record &r, bool item_only) {
    proto_item *ti = add_message_item(tree, tvb, pos);
    if (item_only) return;
    const bool complete = PINFO_FD_VISITED(pinfo);
    const kb::Entry *e = kb::lookup(r.code, lang());
    const unsigned cls = r.code / 100;
    if (label_visible(ti)) {  // hidden trees (-Y, -T fields, plain tshark): no label to format
        set_protocol_summary(ti, response_item_text(r.code, e));
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_sipdiag);
    const Needs &n = needs(pinfo, t);
    proto_item *code_item = add_gen_uint(t, hf_sipdiag_code, tvb, r.code);
    add_gen_uint(t, hf_sipdiag_class, tvb, cls);
    add_expert(pinfo, code_item, corr.response_expert(r));
    if (proto_field_is_referenced(t, hf_sipdiag_summary)) {
        if (const char *summary = summary_text(pinfo, corr, r, complete, e)) {
            add_text(t, hf_sipdiag_summary, tvb, summary);  // long ones also wrapped below
        }
    }
    // A duplicate or a copy at another capture point shows what it repeats instead.
    if (r.copy_kind() == 0 && n.explanation()) render_explanation(t, tvb, r.code);

    const std::string &method = corr.method_name(r.method);
    if (r.request_frame != 0) add_gen_uint(t, hf_sipdiag_request_frame, tvb, r.request_frame);
    if (!method.empty()) add_gen_string(t, hf_sipdiag_request_method, tvb, method);
    if (r.has_response_time()) {
        nstime_t ns;
        const TimeNs rt = corr.response_time(r);
        ns.secs = static_cast<time_t>(rt / 1000000000);
        ns.nsecs = static_cast<int>(rt % 1000000000);
        add_time_item(t, hf_sipdiag_response_time, tvb, &ns);
    }
    if (r.request_frame == 0 && !r.repeated() && !r.uncorrelated()) {
        add_expert(pinfo, ti, ExpertKind::no_request);
    }
    add_gen_bool(t, hf_sipdiag_retransmission, tvb, r.retransmission());
    if (r.retransmission()) add_gen_uint(t, hf_sipdiag_original_frame, tvb, corr.original_frame(r));
    render_copy(t, tvb, corr, r);

    const Diagnosis *d = corr.diagnosis(r);
    if (d == nullptr) return;
    if (d->client_agent != 0) {
        add_gen_string(t, hf_sipdiag_client_agent, tvb, corr.agent_name(d->client_agent));
    }
    if (d->server_agent != 0) {
        add_gen_string(t, hf_sipdiag_server_agent, tvb, corr.agent_name(d->server_agent));
    }
    const RenderCtx c{t, pinfo, tvb, corr, r, *d, corr.verdict(r, complete)};
    const RuleRenderer *rr = renderer_for(d->rule);
    if (rr != nullptr && n.rule(d->rule)) rr->detail(c);
    if (n.problems()) render_problems(t, pinfo, tvb, *d);
    if (c.verdict.outcome != Outcome::not_applicable && n.followup(d->rule)) render_followup(c, rr);
    render_call(c, complete);
}

void render_request(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const MessagePos &pos,
                    const Correlator &corr, const Record &r, bool item_only) {
    const Diagnosis *d = corr.diagnosis(r);
    if (r.response_frame == 0 && r.retry_of == 0 && d == nullptr && !r.repeated()) return;
    proto_item *ti = add_message_item(tree, tvb, pos);
    if (item_only) return;
    if (label_visible(ti)) {
        const char *method[] = {corr.method_name(r.method).c_str()};
        const char *summary = fmt(pinfo, kb::Label::request_item, method);
        char text[ITEM_LABEL_LENGTH];
        if (r.retry_of != 0) {  // "<request>, <retry>": cut where the protocol item's label is
            const Num code(corr.retry_of_code(r)), frame(r.retry_of);
            const char *args[] = {code.s, frame.s};
            std::size_t n = label_append(text, 0, summary);
            n = label_append(text, n, ", ");
            label_append(text, n, fmt(pinfo, kb::Label::retry_after, args));
            summary = text;
        }
        set_protocol_summary(ti, summary);
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_sipdiag);
    if (r.retry_of != 0) {
        add_gen_uint(t, hf_sipdiag_retry_of, tvb, r.retry_of);
        add_gen_uint(t, hf_sipdiag_retry_of_code, tvb, corr.retry_of_code(r));
        if (const std::optional<bool> applies = corr.retry_applies(r)) {
            proto_item *ok = add_gen_bool(t, hf_sipdiag_retry_ok, tvb, *applies);
            add_expert(pinfo, ok, corr.retry_expert(r));
        }
    }
    if (r.response_frame != 0) {
        add_gen_uint(t, hf_sipdiag_response_frame, tvb, r.response_frame);
        add_gen_uint(t, hf_sipdiag_response_code, tvb, r.code);
    }
    if (r.retransmission()) {
        add_gen_bool(t, hf_sipdiag_retransmission, tvb, true);
        add_gen_uint(t, hf_sipdiag_original_frame, tvb, corr.original_frame(r));
    }
    render_copy(t, tvb, corr, r);
    if (d != nullptr && needs(pinfo, t).problems()) render_problems(t, pinfo, tvb, *d);
}

}  // namespace sipdiag::ws
