// SPDX-License-Identifier: GPL-2.0-or-later
// Tree items labelled in the user's language. The captions of the fields come from the knowledge
// base ([fields] in plugin/kb/data/<lang>.kb); where the caption is the field's registered name
// (English), the item is added as it is and Wireshark builds its label only when someone reads
// it. Otherwise the label is formatted here, and cut, when too long, the way Wireshark cuts its
// own ("Comment corriger [tronqué] : ...").
//
// No C++ object with a destructor is alive across a Wireshark call here (render.h): labels are
// built in stack buffers.
#pragma once

#include "wireshark/ws_compat.h"

#include "kb/kb.h"

namespace sipdiag::ws {

// The caption of field `hf` in the user's language, or null when Wireshark's own label (the
// registered name) is the right one.
const char *caption(int hf);

// Generated items with the caption of the user's language.
proto_item *add_string_item(proto_tree *t, int hf, tvbuff_t *tvb, const char *v);
// The same for a text of the knowledge base (static: its address never holds another text),
// whose formatted label is kept and reused.
proto_item *add_kb_string_item(proto_tree *t, int hf, tvbuff_t *tvb, const char *v);
proto_item *add_uint_item(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v);
proto_item *add_bool_item(proto_tree *t, int hf, tvbuff_t *tvb, bool v);
proto_item *add_time_item(proto_tree *t, int hf, tvbuff_t *tvb, nstime_t *v);
proto_item *add_double_item(proto_tree *t, int hf, tvbuff_t *tvb, double v);

// A generated string item whose label shows `shown` instead of the value: "<caption of
// hf>: <shown>", or "<head>: <shown>" when head is given. Always formatted.
proto_item *add_string_text(proto_tree *t, int hf, tvbuff_t *tvb, const char *value,
                            const char *head, const char *shown);

// The protocol item of a message: "SIP Response Diagnostics: <summary>", caption in the user's
// language (the caption alone when summary is null).
void set_protocol_summary(proto_item *ti, const char *summary);

// Labels written without printf. Wireshark's proto_item_set_text() and the *_format() calls
// format every label through vsnprintf (some 650 instructions even for "%s"); on the release
// lines whose item label is a plain buffer (4.0) the finished label is copied into it instead,
// elsewhere these fall back to proto_item_set_text(it, "%s", ...). Either way the item shows
// the same label.
//
// Sets the label of item `it` to text[0..len) (len < ITEM_LABEL_LENGTH; longer texts go through
// proto_item_set_text and are marked truncated as it does). Nothing when the tree is hidden.
void set_label(proto_item *it, const char *text, std::size_t len);
void set_label(proto_item *it, const char *text);
// A text-only subtree titled text[0..len), as proto_tree_add_subtree(t, tvb, 0, 0, ett, item,
// <that text>) adds it.
proto_tree *add_text_subtree(proto_tree *t, tvbuff_t *tvb, int ett, proto_item **item,
                             const char *text, std::size_t len);

// Appends to a label being built in buf[ITEM_LABEL_LENGTH] from its length n, cut at the
// buffer's size as snprintf cuts (buf stays NUL-terminated); returns the new length. Writes
// no more than the text and its NUL.
std::size_t label_append(char *buf, std::size_t n, const char *s);
std::size_t label_append(char *buf, std::size_t n, unsigned v);

// True when the item's label can be seen (a visible tree: GUI details, -V, -T pdml...); when
// false, set_protocol_summary does nothing and its text need not be built.
bool label_visible(proto_item *ti);

// A number as text, for the placeholders of kb::format (no allocation, no destructor).
struct Num {
    char s[32];
    explicit Num(unsigned v);
    // With `decimals` digits after the point.
    Num(double v, int decimals);
};

// kb::format into a buffer of the packet's pool: the label `which` with its placeholders filled.
template <std::size_t N>
const char *fmt(packet_info *pinfo, kb::Label which, const char *const (&args)[N]);

// Implementation detail of fmt.
const char *fmt_args(packet_info *pinfo, kb::Label which, const char *const *args, std::size_t n);
template <std::size_t N>
const char *fmt(packet_info *pinfo, kb::Label which, const char *const (&args)[N]) {
    return fmt_args(pinfo, which, args, N);
}

}  // namespace sipdiag::ws
