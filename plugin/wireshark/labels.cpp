// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/labels.h"

#include "wireshark/fields.h"
#include "wireshark/prefs.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sipdiag::ws {

namespace {

// The captions of the language in use, by field id (the ids of one protocol's fields are
// consecutive: registered by one proto_register_field_array call, then the expert infos').
// Rebuilt when the language preference changes; null where the registered name is right.
constexpr std::size_t kMaxIds = 512;
struct Captions {
    bool built = false;
    kb::Lang lang = kb::Lang::en;
    int base = 0;
    std::size_t count = 0;
    const char *by_id[kMaxIds] = {};
    const char *protocol = nullptr;
};
Captions g_captions;

// Whether the language writes its labels as Wireshark does ("Name: value", "Name [truncated]:
// value"): then a caption equal to the registered name needs no formatting.
bool wireshark_style(kb::Lang lang) {
    return std::strcmp(kb::label(kb::Label::field, lang), "{1}: {2}") == 0 &&
           std::strcmp(kb::label(kb::Label::field_truncated, lang), "{1} [truncated]: {2}") == 0;
}

// The caption to format labels with, or null for Wireshark's own label.
const char *to_format(const char *caption, const char *name, bool ws_style) {
    if (caption == nullptr || name == nullptr) return nullptr;  // no caption: the registered name
    return ws_style && std::strcmp(caption, name) == 0 ? nullptr : caption;
}

void build_captions(kb::Lang lang) {
    Captions &c = g_captions;
    const bool ws_style = wireshark_style(lang);
    c.built = true;
    c.lang = lang;
    c.base = 0;
    c.count = 0;
    c.protocol = to_format(kb::field_label("sipdiag", lang), proto_get_protocol_name(proto_sipdiag),
                           ws_style);
    int lo = INT_MAX, hi = -1;
    void *cookie = nullptr;
    for (header_field_info *h = proto_get_first_protocol_field(proto_sipdiag, &cookie);
         h != nullptr; h = proto_get_next_protocol_field(proto_sipdiag, &cookie)) {
        if (h->id < lo) lo = h->id;
        if (h->id > hi) hi = h->id;
    }
    if (hi < lo) return;
    c.base = lo;
    const auto span = static_cast<std::size_t>(hi - lo) + 1;
    c.count = span < kMaxIds ? span : kMaxIds;  // beyond: the registered (English) names
    for (std::size_t i = 0; i < c.count; ++i) c.by_id[i] = nullptr;
    cookie = nullptr;
    for (header_field_info *h = proto_get_first_protocol_field(proto_sipdiag, &cookie);
         h != nullptr; h = proto_get_next_protocol_field(proto_sipdiag, &cookie)) {
        const auto i = static_cast<std::size_t>(h->id - lo);
        if (i < c.count)
            c.by_id[i] = to_format(kb::field_label(h->abbrev, lang), h->name, ws_style);
    }
}

const Captions &captions() {
    const kb::Lang l = lang();
    if (!g_captions.built || g_captions.lang != l) build_captions(l);
    return g_captions;
}

// The caption to format the label with: null when the registered name is right or when nobody
// reads this tree's labels (tshark -T fields, -Y, taps: the items are only looked up by value).
const char *caption_to_format(proto_tree *t, int hf) {
    if (t == nullptr || PTREE_DATA(t) == nullptr || !PTREE_DATA(t)->visible) return nullptr;
    return caption(hf);
}

proto_item *generated(proto_item *it) {
    proto_item_set_generated(it);
    return it;
}

// Wireshark would fake this item (TRY_TO_FAKE_THIS_ITEM, epan/proto.c of 4.0 to 4.6): a hidden
// tree, under a real item, and a field that no filter, column or -e names. It then adds nothing
// and returns the tree itself, which the callers get here too, without the call (about 100
// instructions per item for the label checks, the fake and the generated flag; a diagnosed
// response has a dozen such items under tshark -T fields or -Y sipdiag.code == 302). The one
// difference: Wireshark's count of items in the tree (its limit gui.max_tree_items, 1,000,000
// by default) is not raised for these.
bool faked(proto_tree *t, int hf) {
    static const bool whole = std::getenv("SIPDIAG_RENDER_ALL") != nullptr;  // the tests' reference
    if (t == nullptr || whole) return false;
    const tree_data_t *td = PTREE_DATA(t);
    if (td == nullptr || td->visible || PTREE_FINFO(t) == nullptr) return false;
    const header_field_info *h = proto_registrar_get_nth(static_cast<guint>(hf));
    if (h == nullptr || h->type == FT_PROTOCOL || h->ref_type == HF_REF_TYPE_DIRECT) return false;
#if SIPDIAG_WS_AT_LEAST(4, 2)
    if (h->ref_type == HF_REF_TYPE_PRINT) return false;
#endif
    return true;
}

// Labels copied into the item (checked against Wireshark 4.0's proto.c, whose item_label_t is
// the representation buffer alone and whose text items are hf_text_only items); later release
// lines changed item_label_t and get their labels through the API.
#if SIPDIAG_WS_AT_LEAST(4, 2)
constexpr bool kPlainLabels = false;
#else
constexpr bool kPlainLabels = true;
static_assert(sizeof(item_label_t) == ITEM_LABEL_LENGTH, "item_label_t is not a plain buffer");
#endif

// The label buffer of a shown item (allocated in the packet's pool as Wireshark does, or the
// one it has), or null when Wireshark itself must decide: hidden tree or hidden item.
char *label_buffer(proto_item *it) {
    if (!kPlainLabels || it == nullptr || PTREE_DATA(it) == nullptr || !PTREE_DATA(it)->visible)
        return nullptr;
    field_info *fi = PITEM_FINFO(it);
    if (fi == nullptr || FI_GET_FLAG(fi, FI_HIDDEN)) return nullptr;
    if (fi->rep == nullptr) fi->rep = wmem_new(PNODE_POOL(it), item_label_t);
    return fi->rep->representation;
}

}  // namespace

namespace {

// What the label of a caption is before its value ("Code de réponse : "), per caption and
// language, when the label is that text followed by the value (kb::tree_label with a short
// value that needs no escape); ok false when it is not.
struct CaptionPrefix {
    const char *caption = nullptr;
    kb::Lang lang = kb::Lang::en;
    bool ok = false;
    std::size_t len = 0;
    char text[ITEM_LABEL_LENGTH] = "";
};
CaptionPrefix g_prefixes[128];

const CaptionPrefix &caption_prefix(const char *caption, kb::Lang l) {
    CaptionPrefix &p = g_prefixes[(reinterpret_cast<std::uintptr_t>(caption) >> 3) %
                                  (sizeof g_prefixes / sizeof g_prefixes[0])];
    if (p.caption == caption && p.lang == l) return p;
    kb::tree_label(p.text, sizeof p.text, caption, "", l);
    p.len = strlen(p.text);
    char probe[ITEM_LABEL_LENGTH];
    kb::tree_label(probe, sizeof probe, caption, "0 Az", l);
    p.ok = p.len + 4 < ITEM_LABEL_LENGTH && strncmp(probe, p.text, p.len) == 0 &&
           strcmp(probe + p.len, "0 Az") == 0;
    p.caption = caption;
    p.lang = l;
    return p;
}

// The length of `value` when kb::tree_label copies it as it is (no byte escaped: well-formed
// UTF-8 sequences as plugin/kb/text.cpp reads them, no control character), else SIZE_MAX.
std::size_t verbatim_length(const char *value) {
    const auto *p = reinterpret_cast<const unsigned char *>(value);
    std::size_t n = 0;
    while (p[n] != 0) {
        const unsigned char b = p[n];
        std::size_t len;
        if (b < 0x80) {
            if (b < 0x20 || b == 0x7F) return SIZE_MAX;
            len = 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
        } else {
            return SIZE_MAX;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[n + k] & 0xC0) != 0x80) return SIZE_MAX;  // also stops at the NUL
        }
        n += len;
    }
    return n;
}

// kb::tree_label(text, ITEM_LABEL_LENGTH, caption, value, lang()) for a caption of the
// knowledge base (static), without formatting when the value is copied as it is and fits: the
// caption's prefix and the value. Returns the label's length.
std::size_t caption_label(char *text, const char *caption, const char *value) {
    const kb::Lang l = lang();
    const CaptionPrefix &p = caption_prefix(caption, l);
    if (p.ok) {
        const std::size_t n = verbatim_length(value);
        if (n != SIZE_MAX && p.len + n < ITEM_LABEL_LENGTH) {
            memcpy(text, p.text, p.len);
            memcpy(text + p.len, value, n + 1);
            return p.len + n;
        }
    }
    kb::tree_label(text, ITEM_LABEL_LENGTH, caption, value, l);
    return strlen(text);
}

}  // namespace

const char *caption(int hf) {
    const Captions &c = captions();
    if (hf < c.base) return nullptr;
    const auto i = static_cast<std::size_t>(hf - c.base);
    return i < c.count ? c.by_id[i] : nullptr;
}

proto_item *add_string_item(proto_tree *t, int hf, tvbuff_t *tvb, const char *v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    if (cap == nullptr) return generated(proto_tree_add_string(t, hf, tvb, 0, 0, v));
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, v);
    proto_item *it = proto_tree_add_string(t, hf, tvb, 0, 0, v);
    set_label(it, text, len);
    return generated(it);
}

namespace {

// Labels of knowledge-base texts, kept by (text, caption, language): formatting a long one costs
// thousands of instructions (kb::tree_label cuts it and marks it). Open addressing over a few
// slots; when they are all taken, the first one is overwritten.
struct KeptLabel {
    const char *value = nullptr;
    const char *caption = nullptr;  // or the registered name, for Wireshark's own label
    kb::Lang lang = kb::Lang::en;
    bool own = false;  // Wireshark's own label (wireshark_label), not kb::tree_label's
    std::size_t len = 0;
    char text[ITEM_LABEL_LENGTH] = "";
};
constexpr std::size_t kKeptSlots = 1024, kKeptProbes = 4;
KeptLabel g_kept_labels[kKeptSlots];

// Wireshark 4.0's own label of a string item whose value is printable ASCII (proto.c,
// label_fill and label_mark_truncated): "Name: value" when it fits in ITEM_LABEL_LENGTH - 1
// bytes, else "Name [truncated]: value" cut to ITEM_LABEL_LENGTH - 2 bytes. Returns the length,
// or SIZE_MAX for a value Wireshark would escape or a name too long for this shortcut.
std::size_t wireshark_label(char *out, const char *name, const char *value) {
    static constexpr char kSep[] = ": ", kCut[] = " [truncated]: ";
    const std::size_t n = strlen(name);
    std::size_t v = 0;
    for (; value[v] != 0; ++v) {
        const auto c = static_cast<unsigned char>(value[v]);
        if (c < 0x20 || c > 0x7E) return SIZE_MAX;
    }
    if (n + sizeof kCut >= ITEM_LABEL_LENGTH) return SIZE_MAX;
    if (n + 2 + v < ITEM_LABEL_LENGTH) {
        memcpy(out, name, n);
        memcpy(out + n, kSep, 2);
        memcpy(out + n + 2, value, v + 1);
        return n + 2 + v;
    }
    const std::size_t len = ITEM_LABEL_LENGTH - 2;
    const std::size_t head = n + sizeof kCut - 1;
    memcpy(out, name, n);
    memcpy(out + n, kCut, sizeof kCut - 1);
    memcpy(out + head, value, len - head);
    out[len] = '\0';
    return len;
}

// The kept label of (caption, value) in the language in use; with own, Wireshark's own label
// where `caption` is the field's registered name (len SIZE_MAX when wireshark_label declines).
const KeptLabel &kept_label(const char *caption, const char *value, bool own = false) {
    const kb::Lang l = lang();
    const std::uint64_t key =
        reinterpret_cast<std::uintptr_t>(value) * 31u + reinterpret_cast<std::uintptr_t>(caption);
    const auto h = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 54);  // 10 bits
    KeptLabel *free_slot = nullptr;
    for (std::size_t i = 0; i < kKeptProbes; ++i) {
        KeptLabel &k = g_kept_labels[(h + i) % kKeptSlots];
        if (k.value == value && k.caption == caption && k.lang == l && k.own == own) return k;
        if (free_slot == nullptr && (k.value == nullptr || k.lang != l)) free_slot = &k;
    }
    KeptLabel &k = free_slot != nullptr ? *free_slot : g_kept_labels[h % kKeptSlots];
    if (own) {
        k.len = wireshark_label(k.text, caption, value);
    } else {
        kb::tree_label(k.text, sizeof k.text, caption, value, l);
        k.len = strlen(k.text);
    }
    k.value = value;
    k.caption = caption;
    k.lang = l;
    k.own = own;
    return k;
}

}  // namespace

proto_item *add_kb_string_item(proto_tree *t, int hf, tvbuff_t *tvb, const char *v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    proto_item *it = proto_tree_add_string(t, hf, tvb, 0, 0, v);
    if (cap != nullptr) {
        const KeptLabel &k = kept_label(cap, v);
        set_label(it, k.text, k.len);
    } else if (kPlainLabels && label_visible(it)) {
        // Wireshark's own label: formatted again every time the item is printed (tshark -V,
        // PDML, the packet details), escaping the text byte by byte. The same label, kept per
        // text, is copied in instead (about half of what -V spends on these items).
        const header_field_info *h = proto_registrar_get_nth(static_cast<guint>(hf));
        if (h != nullptr && h->name != nullptr) {
            const KeptLabel &k = kept_label(h->name, v, true);
            if (k.len != SIZE_MAX) set_label(it, k.text, k.len);
        }
    }
    return generated(it);
}

proto_item *add_uint_item(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    if (cap == nullptr) return generated(proto_tree_add_uint(t, hf, tvb, 0, 0, v));
    // As Wireshark shows the kinds sipdiag registers (BASE_DEC): "Client Failure (4)" for a
    // field with value names, else "4".
    const header_field_info *h = proto_registrar_get_nth(static_cast<guint>(hf));
    char value[ITEM_LABEL_LENGTH];
    if (h != nullptr && h->strings != nullptr && h->type != FT_FRAMENUM) {
        const char *name =
            val_to_str_const(v, static_cast<const value_string *>(h->strings), "Unknown");
        if (strlen(name) < 64) {
            std::size_t n = label_append(value, 0, name);
            n = label_append(value, n, " (");
            n = label_append(value, n, v);
            label_append(value, n, ")");
        } else {  // as before: cut at 96 bytes
            g_snprintf(value, 96, "%s (%u)", name, v);
        }
    } else {
        label_append(value, 0, v);
    }
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, value);
    proto_item *it = proto_tree_add_uint(t, hf, tvb, 0, 0, v);
    set_label(it, text, len);
    return generated(it);
}

proto_item *add_bool_item(proto_tree *t, int hf, tvbuff_t *tvb, bool v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    if (cap == nullptr) return generated(proto_tree_add_boolean(t, hf, tvb, 0, 0, v));
    // The field's true/false strings, else Wireshark's own words (values: left English).
    const header_field_info *h = proto_registrar_get_nth(static_cast<guint>(hf));
    const auto *tfs = h != nullptr ? static_cast<const true_false_string *>(h->strings) : nullptr;
    const char *value =
        tfs != nullptr ? (v ? tfs->true_string : tfs->false_string) : (v ? "True" : "False");
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, value);
    proto_item *it = proto_tree_add_boolean(t, hf, tvb, 0, 0, v);
    set_label(it, text, len);
    return generated(it);
}

proto_item *add_time_item(proto_tree *t, int hf, tvbuff_t *tvb, nstime_t *v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    if (cap == nullptr) return generated(proto_tree_add_time(t, hf, tvb, 0, 0, v));
    char secs[48];
    const long whole = static_cast<long>(v->secs < 0 ? -v->secs : v->secs);
    const int frac = v->nsecs < 0 ? -v->nsecs : v->nsecs;
    if (whole >= 0 && frac >= 0 && frac < 1000000000) {  // "%s%ld.%09d" without a printf
        std::size_t n = 0;
        if (v->secs < 0 || v->nsecs < 0) secs[n++] = '-';
        char digits[24];
        std::size_t k = sizeof digits;
        auto w = static_cast<unsigned long>(whole);
        do {
            digits[--k] = static_cast<char>('0' + w % 10);
            w /= 10;
        } while (w != 0);
        memcpy(secs + n, digits + k, sizeof digits - k);
        n += sizeof digits - k;
        secs[n++] = '.';
        auto f = static_cast<unsigned>(frac);
        for (std::size_t i = 9; i-- > 0;) {
            secs[n + i] = static_cast<char>('0' + f % 10);
            f /= 10;
        }
        secs[n + 9] = '\0';
    } else {
        g_snprintf(secs, sizeof secs, "%s%ld.%09d", v->secs < 0 || v->nsecs < 0 ? "-" : "", whole,
                   frac);
    }
    char value[96];
    const char *args[] = {secs};
    kb::format(value, sizeof value, label(kb::Label::seconds), args);
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, value);
    proto_item *it = proto_tree_add_time(t, hf, tvb, 0, 0, v);
    set_label(it, text, len);
    return generated(it);
}

proto_item *add_double_item(proto_tree *t, int hf, tvbuff_t *tvb, double v) {
    if (faked(t, hf)) return t;
    const char *cap = caption_to_format(t, hf);
    if (cap == nullptr) return generated(proto_tree_add_double(t, hf, tvb, 0, 0, v));
    char value[64];
    g_snprintf(value, sizeof value, "%.15g", v);  // as Wireshark shows an FT_DOUBLE
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, value);
    proto_item *it = proto_tree_add_double(t, hf, tvb, 0, 0, v);
    set_label(it, text, len);
    return generated(it);
}

proto_item *add_string_text(proto_tree *t, int hf, tvbuff_t *tvb, const char *value,
                            const char *head, const char *shown) {
    if (faked(t, hf)) return t;
    // Nobody reads this tree's labels (-Y, taps): only the value counts.
    if (!label_visible(t)) return generated(proto_tree_add_string(t, hf, tvb, 0, 0, value));
    if (head == nullptr) {
        head = caption(hf);
        if (head == nullptr) head = proto_registrar_get_name(hf);
    }
    char text[ITEM_LABEL_LENGTH];
    kb::tree_label(text, sizeof text, head, shown, lang());
    proto_item *it = proto_tree_add_string(t, hf, tvb, 0, 0, value);
    set_label(it, text);
    return generated(it);
}

void set_label(proto_item *it, const char *text, std::size_t len) {
    if (len < ITEM_LABEL_LENGTH) {
        if (char *b = label_buffer(it)) {
            memcpy(b, text, len);
            b[len] = '\0';
            return;
        }
    }
    proto_item_set_text(it, "%.*s", static_cast<int>(len), text);
}

void set_label(proto_item *it, const char *text) {
    set_label(it, text, strlen(text));
}

proto_tree *add_text_subtree(proto_tree *t, tvbuff_t *tvb, int ett, proto_item **item,
                             const char *text, std::size_t len) {
#if !SIPDIAG_WS_AT_LEAST(4, 2)
    // The text item proto_tree_add_subtree() adds (hf_text_only, no value), its label copied in:
    // formatting even an empty title costs some 600 instructions.
    if (len < ITEM_LABEL_LENGTH && label_visible(t)) {
        proto_item *it = proto_tree_add_item(t, hf_text_only, tvb, 0, 0, ENC_NA);
        set_label(it, text, len);
        if (item != nullptr) *item = it;
        return proto_item_add_subtree(it, ett);
    }
#endif
    return proto_tree_add_subtree_format(t, tvb, 0, 0, ett, item, "%.*s", static_cast<int>(len),
                                         text);
}

bool label_visible(proto_item *ti) {
    return ti != nullptr && PTREE_DATA(ti) != nullptr && PTREE_DATA(ti)->visible;
}

void set_protocol_summary(proto_item *ti, const char *summary) {
    if (!label_visible(ti)) return;
    const char *cap = captions().protocol;
    if (summary == nullptr) {
        if (cap != nullptr) set_label(ti, cap);
        return;
    }
    if (cap == nullptr) {
        // Wireshark's own label (the protocol's name) and ": <summary>", as
        // proto_item_append_text(ti, ": %s", summary) makes it on a fresh item.
        const field_info *fi = PITEM_FINFO(ti);
        if (kPlainLabels && fi != nullptr && fi->rep == nullptr && fi->hfinfo != nullptr &&
            fi->hfinfo->type == FT_PROTOCOL && !FI_GET_FLAG(fi, FI_HIDDEN)) {
            char text[ITEM_LABEL_LENGTH];
            std::size_t n = label_append(text, 0, fi->hfinfo->name);
            n = label_append(text, n, ": ");
            n = label_append(text, n, summary);
            set_label(ti, text, n);
        } else {
            proto_item_append_text(ti, ": %s", summary);
        }
        return;
    }
    char text[ITEM_LABEL_LENGTH];
    const std::size_t len = caption_label(text, cap, summary);
    set_label(ti, text, len);
}

std::size_t label_append(char *buf, std::size_t n, const char *s) {
    if (n >= ITEM_LABEL_LENGTH - 1) return n;
    std::size_t len = strlen(s);
    if (len > ITEM_LABEL_LENGTH - 1 - n) len = ITEM_LABEL_LENGTH - 1 - n;
    memcpy(buf + n, s, len);
    n += len;
    buf[n] = '\0';
    return n;
}

std::size_t label_append(char *buf, std::size_t n, unsigned v) {
    char digits[16];
    std::size_t k = sizeof digits;
    do {
        digits[--k] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    std::size_t len = sizeof digits - k;
    if (n >= ITEM_LABEL_LENGTH - 1) return n;
    if (len > ITEM_LABEL_LENGTH - 1 - n) len = ITEM_LABEL_LENGTH - 1 - n;
    memcpy(buf + n, digits + k, len);
    n += len;
    buf[n] = '\0';
    return n;
}

Num::Num(unsigned v) {
    s[0] = '\0';
    label_append(s, 0, v);  // as "%u", without a printf
}

Num::Num(double v, int decimals) {
    g_snprintf(s, sizeof s, "%.*f", decimals, v);
}

const char *fmt_args(packet_info *pinfo, kb::Label which, const char *const *args, std::size_t n) {
    const std::size_t cap = ITEM_LABEL_LENGTH;
    auto *out = static_cast<char *>(wmem_alloc(pinfo->pool, cap));
    kb::format(out, cap, label(which), args, n);
    return out;
}

}  // namespace sipdiag::ws
