// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/extract.h"

#include "core/multipoint.h"
#include "core/sipsplit.h"
#include "wireshark/sip_hook.h"
#include "core/sipmsg.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace sipdiag::ws {

namespace {

// The SIP protocol item: one per SIP message, covering the message (the first message of a TCP
// segment may span the whole segment). It is the only thing asked from Wireshark: the headers are
// read from the message text (core/sipmsg.h), which is much cheaper than having Wireshark build
// and keep a field (UTF-8 checked string copy, interesting-field array) for every header we read.
int g_proto_sip = -1;

// The reader's output for the current message, reused for every message (dissection runs in one
// thread) so that its vectors keep their capacity: no allocation per message once they have grown.
SipText g_text;
// What the frame's views point to besides the frame's bytes (converted values, the client
// identities, the source address): reset per frame, its strings keep their buffers.
TextStore g_store;

// The bytes of [start, end) of `tvb`, or an empty view when they are not all captured. Checked
// first so that tvb_get_ptr() cannot throw: a Wireshark exception (longjmp) must not cross the C++
// frames of the post-dissector, which own objects.
std::string_view message_bytes(tvbuff_t *tvb, int start, int end) {
    if (tvb == nullptr || start < 0 || end <= start) return {};
    const guint avail = tvb_captured_length(tvb);
    if (static_cast<guint>(start) >= avail) return {};
    end = static_cast<int>(std::min<guint>(static_cast<guint>(end), avail));
    const int len = end - start;
    const auto *p = reinterpret_cast<const char *>(tvb_get_ptr(tvb, start, len));
    return p == nullptr ? std::string_view{} : std::string_view(p, static_cast<std::size_t>(len));
}

// Multi-point captures (core/multipoint.h): the leg of the frame, from the innermost network
// addresses, the ports and the transport Wireshark put in pinfo; 0 without addresses.
std::uint64_t leg_of(const packet_info *pinfo) {
    const address &a = pinfo->net_src;
    const address &b = pinfo->net_dst;
    if (a.type == AT_NONE || b.type == AT_NONE || a.len < 0 || b.len < 0) return 0;
    auto bytes = [](const address &x) {
        return std::string_view(static_cast<const char *>(x.data), static_cast<std::size_t>(x.len));
    };
    return leg_key(
        Endpoint{bytes(a), pinfo->srcport}, Endpoint{bytes(b), pinfo->destport},
        static_cast<std::uint32_t>(pinfo->ptype) << 8 | static_cast<std::uint32_t>(a.type));
}

}  // namespace

void resolve_sip_fields() {
    g_proto_sip = proto_get_id_by_filter_name("sip");
}

void release_reader_buffers() {
    g_text = SipText{};
    g_store = TextStore{};
}

GArray *wanted_sip_fields() {
    GArray *a = g_array_new(FALSE, FALSE, static_cast<guint>(sizeof(int)));
    if (g_proto_sip >= 0) g_array_append_val(a, g_proto_sip);
    return a;
}

std::size_t extract_messages(proto_tree *tree, packet_info *pinfo, MessagePos *pos,
                             std::vector<MessageView> *msgs, Source *source) {
    // Every message of the frame (also those beyond kMaxMessagesPerFrame: they end the text of
    // the last one analysed), from the `sip` items when the tree has them, else from what the
    // SIP hook recorded (sip_hook.h), cut into messages the way the SIP dissector cuts them.
    constexpr std::size_t kMaxSpans = 256;
    static MessagePos all[kMaxSpans];  // dissection runs in one thread
    std::size_t total = 0;
    if (source != nullptr) *source = Source::none;
    GPtrArray *sip = (tree != nullptr && g_proto_sip >= 0)
                         ? proto_get_finfo_ptr_array(tree, g_proto_sip)
                         : nullptr;
    if (sip != nullptr && sip->len > 0) {
        total = std::min<std::size_t>(sip->len, kMaxSpans);
        for (std::size_t i = 0; i < total; ++i) {
            auto *fi = static_cast<field_info *>(g_ptr_array_index(sip, i));
            all[i].tvb = fi->ds_tvb;
            all[i].start = fi->start;
            all[i].length = fi->length;
        }
        if (source != nullptr) *source = Source::tree;
    } else if (hook::enabled()) {
        const hook::Region *regions = nullptr;
        bool called = false;
        const std::size_t nreg = hook::frame_regions(pinfo, &regions, &called);
        for (std::size_t r = 0; r < nreg && total < kMaxSpans; ++r) {
            const hook::Region &reg = regions[r];
            if (reg.one_message) {
                all[total].tvb = reg.ds_tvb;
                all[total].start = reg.start;
                all[total].length = reg.length;
                ++total;
                continue;
            }
            const std::string_view bytes =
                message_bytes(reg.ds_tvb, reg.start, reg.start + reg.length);
            if (bytes.empty()) continue;
            // Static like `all`: a local array of 256 spans was zeroed (4 KB) for every region.
            static MessageSpan spans[kMaxSpans];
            std::size_t k =
                std::min(split_sip_messages(bytes, spans, kMaxSpans), kMaxSpans - total);
            if (reg.first_message_only && k > 1) k = 1;
            for (std::size_t i = 0; i < k; ++i) {
                all[total].tvb = reg.ds_tvb;
                all[total].start = reg.start + static_cast<int>(spans[i].start);
                all[total].length = static_cast<int>(spans[i].length);
                ++total;
            }
        }
        if (source != nullptr) *source = total > 0 ? Source::hook : Source::none;
        if (total == 0 && source != nullptr && !called) *source = Source::unseen;
    }
    if (total == 0) return 0;
    const std::size_t n = std::min<std::size_t>(total, kMaxMessagesPerFrame);
    for (std::size_t i = 0; i < n; ++i) pos[i] = all[i];
    if (msgs == nullptr) return n;

    // Each message's text: from its item's start to the start of the next message in the same
    // data source (also one beyond the kMaxMessagesPerFrame analysed: regression, 100 responses in
    // one TCP segment gave the 64th the Contacts of messages 65-100), or the end of its item.
    // Static like `all` (dissection runs in one thread): a local array of 64 views was zeroed
    // for every frame, which cost more than reading the frame's positions.
    static std::string_view text[kMaxMessagesPerFrame];
    for (std::size_t i = 0; i < n; ++i) {
        int end = pos[i].start + std::max(pos[i].length, 0);
        for (std::size_t j = 0; j < total; ++j) {
            const MessagePos &other = all[j];
            if (other.tvb == pos[i].tvb && other.start > pos[i].start && other.start < end) {
                end = other.start;
            }
        }
        text[i] = message_bytes(pos[i].tvb, pos[i].start, end);
    }

    // Resized, not rebuilt: the caller keeps the vector between frames, so the views' vectors
    // keep their capacity (fill_view assigns every message field).
    msgs->resize(n);
    g_store.reset();
    const TimeNs t = static_cast<TimeNs>(pinfo->abs_ts.secs) * 1000000000 + pinfo->abs_ts.nsecs;
    const std::uint64_t leg = leg_of(pinfo);
    bool without_via = false;
    for (std::size_t i = 0; i < n; ++i) {
        MessageView &m = (*msgs)[i];
        m.frame = pinfo->num;
        m.time_ns = t;
        m.src = {};
        m.leg = leg;
        m.bytes_sig = text[i].empty() ? 0 : bytes_fingerprint(text[i]);
        parse_sip_message(text[i], g_text);
        fill_view(g_text, g_store, m);
        without_via = without_via || m.via_sent_by.empty();
    }
    // The source address is the client's identity only for a message without a Via
    // (client_hash): formatted then, not for every frame.
    if (without_via && pinfo->net_src.type != AT_NONE) {
        char buf[128];
        address_to_str_buf(&pinfo->net_src, buf, static_cast<int>(sizeof buf));
        std::string &kept = g_store.next();
        kept.assign(buf);
        for (std::size_t i = 0; i < n; ++i) (*msgs)[i].src = kept;
    }
    return n;
}

}  // namespace sipdiag::ws
