#include "epan/extract.h"

#include <algorithm>
#include <array>
#include <string>

namespace sipdiag::epan {

namespace {

enum Field : std::size_t {
    F_SIP,  // the protocol item: one per SIP message, covering the whole message
    F_REQUEST_LINE,
    F_STATUS_CODE,
    F_METHOD,
    F_RURI,
    F_CALL_ID,
    F_CSEQ_SEQ,
    F_CSEQ_METHOD,
    F_VIA,
    F_VIA_BRANCH,
    F_VIA_ADDR,
    F_FROM_TAG,
    F_TO_ADDR,
    F_CONTACT,
    F_SESSION_EXPIRES,
    F_MIN_SE,
    F_IF_MATCH,
    F_ETAG,
    F_EVENT,
    // topic headers (core/topics.h), in the order of sipdiag::Hdr
    F_WWW_AUTHENTICATE,
    F_PROXY_AUTHENTICATE,
    F_AUTHORIZATION,
    F_PROXY_AUTHORIZATION,
    F_UNSUPPORTED,
    F_REQUIRE,
    F_PROXY_REQUIRE,
    F_SUPPORTED,
    F_ACCEPT,
    F_ACCEPT_ENCODING,
    F_ACCEPT_LANGUAGE,
    F_CONTENT_TYPE,
    F_WARNING,
    F_ALLOW_EVENTS,
    F_RETRY_AFTER,  // FT_UINT32 in Wireshark
    F_EXPIRES,      // FT_UINT32 in Wireshark
    F_MIN_EXPIRES,
    F_SECURITY_SERVER,
    F_COUNT
};
static_assert(F_COUNT - F_WWW_AUTHENTICATE == static_cast<std::size_t>(Hdr::count_),
              "topic fields follow sipdiag::Hdr");

constexpr std::array<const char *, F_COUNT> kFieldNames = {
    "sip",
    "sip.Request-Line",
    "sip.Status-Code",
    "sip.Method",
    "sip.r-uri",
    "sip.Call-ID",
    "sip.CSeq.seq",
    "sip.CSeq.method",
    "sip.Via",
    "sip.Via.branch",
    "sip.Via.sent-by.address",
    "sip.from.tag",
    "sip.to.addr",
    "sip.Contact",
    "sip.Session-Expires",
    "sip.Min-SE",
    "sip.If_Match",
    "sip.ETag",
    "sip.Event",
    "sip.WWW-Authenticate",
    "sip.Proxy-Authenticate",
    "sip.Authorization",
    "sip.Proxy-Authorization",
    "sip.Unsupported",
    "sip.Require",
    "sip.Proxy-Require",
    "sip.Supported",
    "sip.Accept",
    "sip.Accept-Encoding",
    "sip.Accept-Language",
    "sip.Content-Type",
    "sip.Warning",
    "sip.Allow-Events",
    "sip.Retry-After",
    "sip.Expires",
    "sip.Min-Expires",
    "sip.Security-Server",
};

std::array<int, F_COUNT> g_ids;  // -1 when this Wireshark lacks the field

// Which message of the frame a field belongs to: of the messages in the same data source that
// start at or before the field, the one starting last. (The SIP item of the first message in a
// TCP segment may span the whole segment, so "range holds the field" is not enough.)
int owner(const MessagePos *pos, std::size_t n, const MessagePos &fence, const field_info *fi) {
    // Fields of the messages beyond the kMaxMessagesPerFrame analysed are nobody's (regression:
    // 100 responses in one TCP segment gave the 64th the Contacts of messages 65-100).
    if (fence.tvb == fi->ds_tvb && fi->start >= fence.start) return -1;
    int best = -1;
    for (std::size_t i = 0; i < n; ++i) {
        if (pos[i].tvb == fi->ds_tvb && fi->start >= pos[i].start &&
            (best < 0 || pos[i].start >= pos[best].start)) {
            best = static_cast<int>(i);
        }
    }
    return best;
}

GPtrArray *field_array(proto_tree *tree, Field f) {
    return g_ids[f] < 0 ? nullptr : proto_get_finfo_ptr_array(tree, g_ids[f]);
}

bool is_string_field(const field_info *fi) {
    switch (fi->hfinfo->type) {
        case FT_STRING:
        case FT_STRINGZ:
        case FT_STRINGZPAD:
        case FT_STRINGZTRUNC:
            return true;
        default:
            return false;
    }
}

bool is_uint_field(const field_info *fi) {
    switch (fi->hfinfo->type) {
        case FT_UINT8:
        case FT_UINT16:
        case FT_UINT24:
        case FT_UINT32:
            return true;
        default:
            return false;
    }
}

// The value as text, whatever type this Wireshark release gives the field ("" for others).
const char *string_of(field_info *fi) {
    if (!is_string_field(fi)) return "";
    const char *s = sipdiag_fi_string(fi);
    return s ? s : "";
}

unsigned uint_of(field_info *fi) {
    return is_uint_field(fi) ? sipdiag_fi_uint(fi) : 0;
}

std::string text_of(field_info *fi) {
    if (is_uint_field(fi)) return std::to_string(sipdiag_fi_uint(fi));
    return bounded_copy(string_of(fi), 1024);
}

}  // namespace

void resolve_sip_fields() {
    for (std::size_t i = 0; i < F_COUNT; ++i) {
        g_ids[i] = i == F_SIP ? proto_get_id_by_filter_name(kFieldNames[i])
                              : proto_registrar_get_id_byname(kFieldNames[i]);
    }
}

GArray *wanted_sip_fields() {
    GArray *a = g_array_new(FALSE, FALSE, static_cast<guint>(sizeof(int)));
    for (int id : g_ids) {
        if (id >= 0) g_array_append_val(a, id);
    }
    return a;
}

std::size_t extract_messages(proto_tree *tree, packet_info *pinfo, MessagePos *pos,
                             std::vector<SipMessage> *msgs) {
    if (tree == nullptr) return 0;
    GPtrArray *sip = field_array(tree, F_SIP);
    if (sip == nullptr || sip->len == 0) return 0;
    const std::size_t n = std::min<std::size_t>(sip->len, kMaxMessagesPerFrame);
    for (std::size_t i = 0; i < n; ++i) {
        auto *fi = static_cast<field_info *>(g_ptr_array_index(sip, i));
        pos[i].tvb = fi->ds_tvb;
        pos[i].start = fi->start;
        pos[i].length = fi->length;
    }
    if (msgs == nullptr) return n;
    MessagePos fence;  // where the first message that is not analysed starts
    if (sip->len > n) {
        auto *fi = static_cast<field_info *>(g_ptr_array_index(sip, n));
        fence.tvb = fi->ds_tvb;
        fence.start = fi->start;
    }

    msgs->assign(n, SipMessage{});
    std::array<bool, kMaxMessagesPerFrame> top_via_done{};
    std::array<int, kMaxMessagesPerFrame> top_via_end{};
    std::array<unsigned, kMaxMessagesPerFrame> via_count{};
    std::string src;
    if (pinfo->net_src.type != AT_NONE) {
        char buf[128];
        address_to_str_buf(&pinfo->net_src, buf, static_cast<int>(sizeof buf));
        src = buf;
    }
    const TimeNs t = static_cast<TimeNs>(pinfo->abs_ts.secs) * 1000000000 + pinfo->abs_ts.nsecs;
    for (std::size_t i = 0; i < n; ++i) {
        SipMessage &m = (*msgs)[i];
        m.frame = pinfo->num;
        m.time_ns = t;
        m.src = src;
        top_via_end[i] = -1;
    }

    for (std::size_t f = 1; f < F_COUNT; ++f) {
        GPtrArray *arr = field_array(tree, static_cast<Field>(f));
        if (arr == nullptr) continue;
        for (guint k = 0; k < arr->len; ++k) {
            auto *fi = static_cast<field_info *>(g_ptr_array_index(arr, k));
            const int o = owner(pos, n, fence, fi);
            if (o < 0) continue;
            SipMessage &m = (*msgs)[static_cast<std::size_t>(o)];
            switch (f) {
                case F_REQUEST_LINE:
                    m.is_request = true;
                    break;
                case F_STATUS_CODE:
                    m.status = uint_of(fi);
                    break;
                case F_METHOD:
                    if (m.method.empty()) m.method = bounded_copy(string_of(fi), 64);
                    break;
                case F_RURI:
                    if (m.request_uri.empty()) m.request_uri = bounded_copy(string_of(fi), 2048);
                    break;
                case F_CALL_ID:
                    // Whole: the core keeps only its hash (regression: Call-IDs that differed
                    // after byte 4096 were taken for one call).
                    if (m.call_id.empty()) m.call_id = string_of(fi);
                    break;
                case F_CSEQ_SEQ:
                    if (!m.has_cseq) {
                        m.has_cseq = true;
                        m.cseq = uint_of(fi);
                    }
                    break;
                case F_CSEQ_METHOD:
                    if (m.cseq_method.empty()) m.cseq_method = bounded_copy(string_of(fi), 64);
                    break;
                case F_VIA:  // the first Via line holds the top Via
                    if (top_via_end[o] < 0) top_via_end[o] = fi->start + fi->length;
                    break;
                case F_VIA_BRANCH:
                    if (m.branch.empty() && (top_via_end[o] < 0 || fi->start < top_via_end[o])) {
                        m.branch = bounded_copy(string_of(fi), 256);
                    }
                    break;
                case F_VIA_ADDR:
                    if (!top_via_done[o]) {
                        m.via_sent_by = to_lower(bounded_copy(string_of(fi), 256));
                        top_via_done[o] = true;
                    }
                    ++via_count[o];
                    break;
                case F_FROM_TAG:
                    if (m.from_tag.empty()) m.from_tag = bounded_copy(string_of(fi), 256);
                    break;
                case F_TO_ADDR:
                    if (m.to_uri.empty()) m.to_uri = bounded_copy(string_of(fi), 2048);
                    break;
                case F_CONTACT:
                    // Every line (bounded by the message): the core keeps 64 contacts and counts
                    // the rest (regression: 15,000 contacts on 300 lines were counted as 12,800).
                    m.contact.emplace_back(string_of(fi));
                    break;
                case F_SESSION_EXPIRES:
                    if (m.session_expires.size() < 4) {
                        m.session_expires.push_back(bounded_copy(string_of(fi), 256));
                    }
                    break;
                case F_MIN_SE:
                    if (m.min_se.size() < 4) m.min_se.push_back(bounded_copy(string_of(fi), 256));
                    break;
                case F_IF_MATCH:
                    if (m.if_match.size() < 4)
                        m.if_match.push_back(bounded_copy(string_of(fi), 256));
                    break;
                case F_ETAG:
                    if (m.etag.size() < 4) m.etag.push_back(bounded_copy(string_of(fi), 256));
                    break;
                case F_EVENT:
                    if (m.event.size() < 4) m.event.push_back(bounded_copy(string_of(fi), 256));
                    break;
                default:
                    if (f >= F_WWW_AUTHENTICATE) {
                        const auto h = static_cast<Hdr>(f - F_WWW_AUTHENTICATE);
                        m.headers.add(h, text_of(fi));
                    }
                    break;
            }
        }
    }
    // The client's identity is its top Via host with the number of Vias: a client's retry has as
    // many Vias as its first attempt (even from a new TCP port), a proxy's forwarded copy one more
    // (even when the proxy shares the client's host, as on loopback).
    for (std::size_t i = 0; i < n; ++i) {
        SipMessage &m = (*msgs)[i];
        if (!m.via_sent_by.empty()) m.via_sent_by += '#' + std::to_string(via_count[i]);
    }
    return n;
}

}  // namespace sipdiag::epan
