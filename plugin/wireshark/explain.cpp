// SPDX-License-Identifier: GPL-2.0-or-later
// The explanation of a response code from the knowledge base (plugin/kb), in the language of the
// preference: meaning, when you see it, how to fix it, the RFC, the codes it is confused with, and
// the site's own hints.
#include "wireshark/fields.h"
#include "wireshark/labels.h"
#include "wireshark/prefs.h"
#include "wireshark/render.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sipdiag::ws {

namespace {

// Wireshark cuts tree labels at ITEM_LABEL_LENGTH (240 bytes) and marks them "[truncated]". A
// long explanation therefore also gets its whole text as wrapped lines under the item (the field
// value is never cut).
constexpr std::size_t kWrapAt = 110;

void add_wrapped_lines(proto_item *item, tvbuff_t *tvb, const char *text) {
    proto_tree *sub = proto_item_add_subtree(item, ett_sipdiag_text);
    const std::size_t len = strlen(text);
    std::size_t start = 0;
    while (start < len) {
        std::size_t end = std::min(len, start + kWrapAt);
        if (end < len) {  // break at the last space, never inside a UTF-8 sequence
            std::size_t sp = end;
            while (sp > start && text[sp] != ' ') --sp;
            if (sp > start) {
                end = sp;
            } else {
                while (end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
            }
        }
        add_text_subtree(sub, tvb, ett_sipdiag_text, nullptr, text + start, end - start);
        start = end;
        while (start < len && text[start] == ' ') ++start;
    }
}

}  // namespace

proto_item *add_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *text) {
    // In English the caption is the field's registered name: Wireshark's own label ("Name:
    // value") is the same text and is only formatted when someone reads it (-T fields and -Y
    // never print these labels). In another language add_string_item() formats the label, and
    // marks a cut one right after the caption as Wireshark does ("Name [truncated]: value").
    proto_item *it = add_string_item(tree, hf, tvb, text);
    if (strlen(text) + 30 > ITEM_LABEL_LENGTH) add_wrapped_lines(it, tvb, text);
    return it;
}

namespace {

// add_text() for a text of the knowledge base: its label is formatted once.
void add_kb_text(proto_tree *tree, int hf, tvbuff_t *tvb, const char *text) {
    proto_item *it = add_kb_string_item(tree, hf, tvb, text);
    if (strlen(text) + 30 > ITEM_LABEL_LENGTH) add_wrapped_lines(it, tvb, text);
}

}  // namespace

namespace {

// Whether any item of the explanation can be seen or filtered: the tree is shown (-V, -T json,
// the GUI's packet details) or a filter, column or -e names one of its fields. These items carry
// no expert info, so when nothing can see them they are not built at all (they would be faked
// one by one: the kb lookups, label formatting and line wrapping were about a fifth of the
// plugin's cost per SIP message in tshark -Y sip).
bool explanation_wanted(proto_tree *tree) {
    static const int *const kFields[] = {
        &hf_sipdiag_site_hint, &hf_sipdiag_reason,       &hf_sipdiag_meaning,
        &hf_sipdiag_when,      &hf_sipdiag_fix,          &hf_sipdiag_rfc,
        &hf_sipdiag_note,      &hf_sipdiag_compare_code, &hf_sipdiag_compare_hint};
    for (const int *hf : kFields) {
        if (proto_field_is_referenced(tree, *hf)) return true;
    }
    return false;
}

// The labels of the compared codes, "<code> vs <other code> <its reason>", kept once built: the
// knowledge base is static, so a label only depends on the code, the comparison and the
// language. A small table indexed by the comparison's address; a slot is overwritten when
// another comparison lands on it.
struct CompareLabel {
    const kb::Compare *compare = nullptr;
    unsigned code = 0;
    kb::Lang lang = kb::Lang::en;
    std::size_t len = 0;
    char text[96] = "";
};
CompareLabel g_compare_labels[256];

// The label of comparison `c` of `code`, or null when it is too long to keep (or to copy: then
// Wireshark formats and marks it).
const CompareLabel *compare_label(unsigned code, const kb::Compare &c) {
    const kb::Lang l = lang();
    const auto slot = (reinterpret_cast<std::uintptr_t>(&c) / sizeof(kb::Compare) + code) %
                      (sizeof g_compare_labels / sizeof g_compare_labels[0]);
    CompareLabel &cl = g_compare_labels[slot];
    if (cl.compare == &c && cl.code == code && cl.lang == l) return &cl;
    const kb::Entry *other = kb::lookup(c.code, l);
    const char *reason = other ? other->reason : "";
    char text[ITEM_LABEL_LENGTH];
    std::size_t n = label_append(text, 0, code);
    n = label_append(text, n, " vs ");
    n = label_append(text, n, static_cast<unsigned>(c.code));
    n = label_append(text, n, " ");
    n = label_append(text, n, reason);
    if (n >= sizeof cl.text) return nullptr;
    memcpy(cl.text, text, n + 1);
    cl.len = n;
    cl.compare = &c;
    cl.code = code;
    cl.lang = l;
    return &cl;
}

}  // namespace

void render_explanation(proto_tree *tree, tvbuff_t *tvb, unsigned code) {
    if (!explanation_wanted(tree)) return;
    const kb::Entry *e = kb::lookup(code, lang());
    if (e == nullptr) return;
    for_each_site_hint(
        code, [&](const char *text) { add_string_item(tree, hf_sipdiag_site_hint, tvb, text); });
    if (e->reason[0] != '\0') add_kb_string_item(tree, hf_sipdiag_reason, tvb, e->reason);
    add_kb_text(tree, hf_sipdiag_meaning, tvb, e->meaning);
    add_kb_text(tree, hf_sipdiag_when, tvb, e->when);
    add_kb_text(tree, hf_sipdiag_fix, tvb, e->fix);
    add_kb_text(tree, hf_sipdiag_rfc, tvb, e->rfc);
    if (!e->registered) {
        add_kb_string_item(tree, hf_sipdiag_note, tvb, label(kb::Label::unregistered_note));
    }
    if (!pref_compare_hints || e->compare_count == 0) return;
    const char *title = label(kb::Label::compared_with);
    proto_tree *cmp =
        add_text_subtree(tree, tvb, ett_sipdiag_compare, nullptr, title, strlen(title));
    for (std::size_t k = 0; k < e->compare_count; ++k) {
        const kb::Compare &c = e->compares[k];
        proto_item *ci = proto_tree_add_uint(cmp, hf_sipdiag_compare_code, tvb, 0, 0, c.code);
        if (ci != cmp) {  // not a faked item
            if (const CompareLabel *cl = compare_label(code, c)) {
                set_label(ci, cl->text, cl->len);
            } else {  // a long one: Wireshark cuts and marks it
                const kb::Entry *other = kb::lookup(c.code, lang());
                proto_item_set_text(ci, "%u vs %u %s", code, c.code, other ? other->reason : "");
            }
        }
        proto_item_set_generated(ci);
        proto_tree *ct = proto_item_add_subtree(ci, ett_sipdiag_compare);
        add_kb_text(ct, hf_sipdiag_compare_hint, tvb, c.hint);
    }
}

// The comparison hints for the pairs of codes actually met in this call.
void render_call_hints(const RenderCtx &c, const std::vector<CallEntry> &entries) {
    if (!pref_compare_hints || !proto_field_is_referenced(c.tree, hf_sipdiag_compare_hint)) return;
    const kb::Entry *mine = kb::lookup(c.r.code, lang());
    if (mine == nullptr) return;
    for (const CallEntry &e : entries) {
        if (e.code == c.r.code) continue;
        for (std::size_t k = 0; k < mine->compare_count; ++k) {
            if (mine->compares[k].code != e.code) continue;
            const Num a(c.r.code), b(e.code);
            const char *args[] = {a.s, b.s};
            add_string_text(c.tree, hf_sipdiag_compare_hint, c.tvb, mine->compares[k].hint,
                            fmt(c.pinfo, kb::Label::call_hint, args), mine->compares[k].hint);
        }
    }
}

}  // namespace sipdiag::ws
