// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/sipmsg.h"

#include "core/bounded_map.h"
#include "core/sipvalue.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Wireshark behaviour reproduced here was checked against tshark 4.0 field output (sip.* fields
// of crafted messages); the quirks are deliberate, so that the analysis sees the same values as
// when it read Wireshark's fields:
//  - lines end at CRLF, LF or a lone CR; a line starting with SP/HTAB continues the header
//    before it, and the field value keeps the line break;
//  - header names are matched case-insensitively but not trimmed ("Contact :" is unknown);
//  - values start after the whitespace (SP, HTAB, CR, LF) after the colon and keep trailing
//    whitespace ("Call-ID: abc  " gives "abc  ");
//  - a start line that is not exactly a Request-Line or Status-Line of SIP/2.0 stops the
//    dissection of the headers.

namespace sipdiag {

namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

// A set of bytes, for the reader's loops: one table lookup per byte instead of several tests.
struct ByteSet {
    bool in[256] = {};
    constexpr explicit ByteSet(std::string_view bytes) {
        for (char c : bytes) in[static_cast<unsigned char>(c)] = true;
    }
    constexpr bool operator()(char c) const { return in[static_cast<unsigned char>(c)]; }
};

// SP, HTAB, CR and LF: what tvb_skip_wsp() skips (after every header's colon).
constexpr ByteSet kWspBytes{" \t\r\n"};

// tvb_skip_wsp(): also skips CR and LF.
std::size_t skip_wsp(std::string_view s, std::size_t i) {
    while (i < s.size() && kWspBytes(s[i])) ++i;
    return i;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Field text would be non-empty (the adapter kept the first non-empty value).
bool has_text(std::string_view raw) {
    return !raw.empty() && raw.front() != '\0';
}

// One line as tvb_find_line_end() cuts it (CRLF, LF or a lone CR ends it): where it ends, where
// the next line starts, its first ':' (npos when none) and whether its bytes are plain ASCII with
// no NUL (the field text is then the bytes themselves). One pass over the line, sixteen bytes at
// a time where SSE2 is there (every x86-64): lines are short, so calls to memchr() for the line
// end, the CR and the colon cost more than the bytes.
struct Line {
    std::size_t end = 0;
    std::size_t next = 0;
    std::size_t colon = std::string_view::npos;
    bool plain = true;
};

// Inlined: it runs for every line, and its call cost was a visible part of it.
__attribute__((always_inline)) inline Line scan_line(std::string_view s, std::size_t i) {
    const char *p = s.data();
    const std::size_t n = s.size();
    Line l;
    std::size_t k = i;
    bool found = false;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i co = _mm_set1_epi8(':');
    const __m128i zero = _mm_setzero_si128();
    for (; k + 16 <= n; k += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + k));
        const auto eol = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
        // The bytes before the first line end of these sixteen (all of them when there is none).
        const unsigned before = eol != 0 ? (eol & (0U - eol)) - 1 : 0xFFFFU;
        const auto odd = static_cast<unsigned>(_mm_movemask_epi8(v) |
                                               _mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
        if ((odd & before) != 0) l.plain = false;
        if (l.colon == std::string_view::npos) {
            const unsigned c =
                static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, co))) & before;
            if (c != 0) l.colon = k + static_cast<std::size_t>(__builtin_ctz(c));
        }
        if (eol != 0) {
            k += static_cast<std::size_t>(__builtin_ctz(eol));
            found = true;
            break;
        }
    }
#endif
    for (; !found && k < n; ++k) {
        const auto c = static_cast<unsigned char>(p[k]);
        if (c == '\n' || c == '\r') {
            found = true;
            break;
        }
        if (c == ':' && l.colon == std::string_view::npos) l.colon = k;
        if (c == 0 || c >= 0x80) l.plain = false;
    }
    if (!found) {
        l.end = l.next = n;
        return l;
    }
    l.end = k;
    l.next = p[k] == '\r' && k + 1 < n && p[k + 1] == '\n' ? k + 2 : k + 1;
    return l;
}

// strtoul(s, NULL, 10) on a 64-bit system, cut to 32 bits as proto_tree_add_uint() does.
std::uint32_t strtoul_u32(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    std::uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        const auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) overflow = true;
        if (!overflow) v = v * 10 + d;
    }
    if (overflow) return UINT32_MAX;  // ULONG_MAX, whatever the sign
    if (neg) v = 0 - v;
    return static_cast<std::uint32_t>(v);
}

enum class H : std::uint8_t {
    other,
    call_id,
    cseq,
    via,
    from,
    to,
    contact,
    session_expires,
    min_se,
    if_match,
    etag,
    event,
    topic
};

// A header name given in lower case, with its Hdr for the topic headers.
struct Name {
    std::string_view name;
    H h;
    Hdr topic;
};

// Full names, then the compact forms (RFC 3261 7.3.3, RFC 3265, RFC 4028) of the headers we read;
// other compact forms ('a' Accept-Contact, 'e' Content-Encoding, 'l' Content-Length...) are not
// read.
constexpr Name kNames[] = {
    {"call-id", H::call_id, Hdr::count_},
    {"cseq", H::cseq, Hdr::count_},
    {"via", H::via, Hdr::count_},
    {"from", H::from, Hdr::count_},
    {"to", H::to, Hdr::count_},
    {"contact", H::contact, Hdr::count_},
    {"session-expires", H::session_expires, Hdr::count_},
    {"min-se", H::min_se, Hdr::count_},
    {"sip-if-match", H::if_match, Hdr::count_},
    {"sip-etag", H::etag, Hdr::count_},
    {"event", H::event, Hdr::count_},
    {"www-authenticate", H::topic, Hdr::www_authenticate},
    {"proxy-authenticate", H::topic, Hdr::proxy_authenticate},
    {"authorization", H::topic, Hdr::authorization},
    {"proxy-authorization", H::topic, Hdr::proxy_authorization},
    {"unsupported", H::topic, Hdr::unsupported},
    {"require", H::topic, Hdr::require},
    {"proxy-require", H::topic, Hdr::proxy_require},
    {"supported", H::topic, Hdr::supported},
    {"accept", H::topic, Hdr::accept},
    {"accept-encoding", H::topic, Hdr::accept_encoding},
    {"accept-language", H::topic, Hdr::accept_language},
    {"content-type", H::topic, Hdr::content_type},
    {"warning", H::topic, Hdr::warning},
    {"allow-events", H::topic, Hdr::allow_events},
    {"retry-after", H::topic, Hdr::retry_after},
    {"expires", H::topic, Hdr::expires},
    {"min-expires", H::topic, Hdr::min_expires},
    {"security-server", H::topic, Hdr::security_server},
    {"user-agent", H::topic, Hdr::user_agent},
    {"server", H::topic, Hdr::server},
    {"i", H::call_id, Hdr::count_},
    {"v", H::via, Hdr::count_},
    {"f", H::from, Hdr::count_},
    {"t", H::to, Hdr::count_},
    {"m", H::contact, Hdr::count_},
    {"x", H::session_expires, Hdr::count_},
    {"o", H::event, Hdr::count_},
    {"k", H::topic, Hdr::supported},
    {"c", H::topic, Hdr::content_type},
    {"u", H::topic, Hdr::allow_events},
};

constexpr std::size_t kMaxNameLength = 19;  // "proxy-authorization"

// kNames grouped by length and by the low five bits of their first byte (a letter's, whatever
// its case), so that a header name is compared only with the names it could be: at most two
// (call-id and contact; accept-encoding and accept-language). There are ten or more headers in
// every message: a scan of the whole table, then of the names of one length (ten for length 1),
// was a visible part of the reader's cost.
constexpr std::size_t kMaxPerKey = 2;
struct NamesByKey {
    std::uint8_t count[kMaxNameLength + 1][32] = {};
    std::uint8_t index[kMaxNameLength + 1][32][kMaxPerKey] = {};
    bool fits = true;  // no key holds more than kMaxPerKey names
    constexpr NamesByKey() {
        for (std::size_t k = 0; k < sizeof kNames / sizeof kNames[0]; ++k) {
            const std::size_t len = kNames[k].name.size();
            const std::size_t key = static_cast<unsigned char>(kNames[k].name[0]) & 31U;
            if (count[len][key] == kMaxPerKey) {
                fits = false;
                continue;
            }
            index[len][key][count[len][key]++] = static_cast<std::uint8_t>(k);
        }
    }
};
constexpr NamesByKey kByKey;
static_assert(kByKey.fits, "raise kMaxPerKey");

// Header names compared eight bytes at a time: a name's bytes, zero-padded to 24, with 0x20 set
// in each of its bytes (ASCII letters to lower case), against the same of each name of kNames of
// its length. Exact for kNames, which hold lower-case letters and '-' only: b | 0x20 is a
// lower-case letter l only for b = l and its upper case, and is '-' only for '-' and CR, and a CR
// in a name (a continuation line) is followed by LF, SP or HTAB where kNames has a letter.
constexpr std::size_t kNameBytes = 24;
static_assert(kMaxNameLength <= kNameBytes, "names fit the words");

struct PaddedNames {
    char bytes[sizeof kNames / sizeof kNames[0]][kNameBytes] = {};
    constexpr PaddedNames() {
        for (std::size_t k = 0; k < sizeof kNames / sizeof kNames[0]; ++k) {
            for (std::size_t i = 0; i < kNames[k].name.size(); ++i) bytes[k][i] = kNames[k].name[i];
        }
    }
};
constexpr PaddedNames kPadded;

// 0x20 in the first kNameBytes bytes, then zeros: the mask for a name of length n starts at
// kNameBytes - n.
struct CaseMask {
    char bytes[2 * kNameBytes] = {};
    constexpr CaseMask() {
        for (std::size_t i = 0; i < kNameBytes; ++i) bytes[i] = 0x20;
    }
};
constexpr CaseMask kCaseMask;

H classify(std::string_view name, Hdr *topic) {
    if (name.size() > kMaxNameLength || name.empty()) return H::other;  // no name we read
    const std::size_t len = name.size();
    const std::size_t key = static_cast<unsigned char>(name[0]) & 31U;
    const std::size_t count = kByKey.count[len][key];
    if (count == 0) return H::other;
    // The name's bytes, zero above them, read in place (a copy into a zeroed buffer called
    // memcpy() for every header of every message).
    const char *p = name.data();
    std::uint64_t w[3] = {0, 0, 0};
    if (len <= 8) {
        w[0] = load_tail(p, len);
    } else {
        std::memcpy(&w[0], p, 8);
        if (len <= 16) {
            w[1] = load_tail(p + 8, len - 8);
        } else {
            std::memcpy(&w[1], p + 8, 8);
            w[2] = load_tail(p + 16, len - 16);
        }
    }
    std::uint64_t m[3];
    std::memcpy(m, kCaseMask.bytes + kNameBytes - len, sizeof m);
    w[0] |= m[0];
    w[1] |= m[1];
    w[2] |= m[2];
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t idx = kByKey.index[len][key][k];
        std::uint64_t t[3];
        std::memcpy(t, kPadded.bytes[idx], sizeof t);
        if (((w[0] ^ t[0]) | (w[1] ^ t[1]) | (w[2] ^ t[2])) == 0) {
            *topic = kNames[idx].topic;
            return kNames[idx].h;
        }
    }
    return H::other;
}

// The start line (sip_parse_line with strict SIP version checking, Wireshark's default).
void read_start_line(std::string_view line, SipText &t) {
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) return;
    if (line.substr(0, sp1) == "SIP/2.0") {
        // Status-Line: exactly three digits between two spaces.
        if (line.size() < 12 || line[11] != ' ') return;
        if (!is_digit(line[8]) || !is_digit(line[9]) || !is_digit(line[10])) return;
        t.start = SipText::Start::status;
        t.status =
            static_cast<unsigned>((line[8] - '0') * 100 + (line[9] - '0') * 10 + (line[10] - '0'));
        return;
    }
    // Request-Line: Method SP Request-URI SP "SIP/2.0", the URI at least 3 bytes with a colon
    // after its first byte.
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 - sp1 - 1 < 3) return;
    if (line.substr(sp2 + 1) != "SIP/2.0") return;
    const std::size_t colon = line.find(':', sp1 + 2);
    if (colon == std::string_view::npos || colon > sp2) return;
    t.start = SipText::Start::request;
    t.method = line.substr(0, sp1);
    t.request_uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
}

// SP, HTAB, ';' and ',' end a Via parameter.
constexpr ByteSet kParamEnds{" \t;,"};

// Letters and '-': the bytes of a Via parameter name as read here.
constexpr ByteSet kParamNameChars{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"};

// The bytes where reading a Via sent-by host stops or changes state: whitespace, ';', ':' and the
// brackets of an IPv6 reference.
constexpr ByteSet kHostStops{" \t;:[]"};

// The first byte from `i` on that ends a Via parameter (n when none): sixteen bytes at a time
// where SSE2 is there. Branch values run to thirty bytes and more, and every message has one.
std::size_t param_end(std::string_view v, std::size_t i) {
    const char *p = v.data();
    const std::size_t n = v.size();
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' ');
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i semi = _mm_set1_epi8(';');
    const __m128i comma = _mm_set1_epi8(',');
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
        const __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, tab)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, semi), _mm_cmpeq_epi8(x, comma)));
        const auto m = static_cast<unsigned>(_mm_movemask_epi8(hit));
        if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
#endif
    while (i < n && !kParamEnds(p[i])) ++i;
    return i;
}

// One Via header value: comma-separated via-parms, each "SIP / 2.0 / transport sent-by;params"
// (Wireshark's dissect_sip_via_header: every via-parm gives a sent-by address, empty when it has
// none, e.g. "Via: garbage"; a comma ends a parameter value even inside quotes).
void read_via(std::string_view v, bool first_line, SipText &t) {
    const std::size_t n = v.size();
    std::size_t i = 0;
    for (;;) {
        i = skip_wsp(v, i);
        if (i >= n) return;
        // protocol-name / version / transport, whitespace allowed after the slashes
        int slashes = 0;
        while (i < n && slashes < 2) {
            if (v[i] == '/') {
                ++slashes;
                i = skip_wsp(v, i + 1);
            } else {
                ++i;
            }
        }
        while (i < n && !is_wsp(v[i])) ++i;
        i = skip_wsp(v, i);
        // sent-by host: up to whitespace, ';' or a ':' outside an IPv6 reference
        const std::size_t a = i;
        bool in_ref = false;
        bool ipv6 = false;
        for (;;) {
            while (i < n && !kHostStops(v[i])) ++i;
            if (i >= n) break;
            const char c = v[i];
            if (c == '[') {
                in_ref = true;
                ipv6 = true;
            } else if (c == ']') {
                in_ref = false;
            } else if (c != ':' || !in_ref) {
                break;  // whitespace, ';', or a ':' outside an IPv6 reference
            }
            ++i;
        }
        std::string_view host = v.substr(a, i - a);
        if (ipv6) host = host.size() >= 2 ? host.substr(1, host.size() - 2) : std::string_view{};
        if (!t.has_top_via) {
            t.has_top_via = true;
            t.top_via_host = host;
        }
        ++t.via_count;
        if (i < n && v[i] == ':') {
            const std::size_t port = ++i;
            while (i < n && is_digit(v[i])) ++i;
            if (i == port) return;  // not a port: Wireshark reads no further
        }
        i = skip_wsp(v, i);
        // ;name[=value] parameters
        bool more = false;  // stopped at something other than a parameter
        while (i < n) {
            while (i < n && is_wsp(v[i])) ++i;
            if (i >= n) return;
            if (v[i] != ';') {
                more = true;
                break;
            }
            ++i;
            if (!first_line || has_text(t.branch)) {
                // Nothing more to read in it: to its end (name bytes never end a parameter).
                i = param_end(v, i);
                continue;
            }
            const std::size_t name = i;
            while (i < n && kParamNameChars(v[i])) ++i;
            const std::size_t name_end = i;
            const bool equals = i < n && v[i] == '=';
            i = param_end(v, i);
            if (iequals(v.substr(name, name_end - name), "branch")) {
                // Without '=' ("branch\xe3z9..."), Wireshark's field is the whole parameter.
                t.branch =
                    equals ? v.substr(name_end + 1, i - name_end - 1) : v.substr(name, i - name);
            }
        }
        if (!more) return;
        // Anything else starts the next via-parm, after a comma or not ("h:5060ubranch=x" gives
        // a second, empty, sent-by address).
        if (v[i] == ',') ++i;
    }
}

// URI of a From/To value (inside <...> of a name-addr, else the addr-spec) and where the header
// parameters start. False when Wireshark would not parse it (a quoted display name not followed
// by <...>, a '<' without '>').
bool read_name_addr(std::string_view v, std::string_view *uri, std::size_t *params) {
    std::size_t i = skip_wsp(v, 0);
    if (i >= v.size()) return false;
    std::size_t lt;
    if (v[i] == '"') {
        const std::size_t q = v.find('"', i + 1);
        if (q == std::string_view::npos) return false;
        lt = v.find('<', q + 1);
        if (lt == std::string_view::npos) return false;
    } else {
        lt = v.find('<', i);
    }
    if (lt != std::string_view::npos) {
        const std::size_t gt = v.find('>', lt + 1);
        if (gt == std::string_view::npos) return false;
        *uri = v.substr(lt + 1, gt - lt - 1);
        *params = gt + 1;
        return true;
    }
    std::size_t e = i;
    while (e < v.size() && v[e] != ';' && v[e] != ',' && !is_wsp(v[e]) && v[e] != '\r' &&
           v[e] != '\n') {
        ++e;
    }
    *uri = v.substr(i, e - i);
    *params = e;
    return true;
}

// The From tag as Wireshark finds it: the first "tag=" (case-sensitive) anywhere after the URI,
// not necessarily a parameter of its own (";xtag=t", ":tag=t" and a quoted "tag=" inside another
// parameter count too), up to the next ';'.
std::string_view read_tag(std::string_view v, std::size_t from) {
    const std::size_t p = v.find("tag=", from);
    if (p == std::string_view::npos) return {};
    const std::size_t e = v.find(';', p + 4);
    return v.substr(p + 4, (e == std::string_view::npos ? v.size() : e) - p - 4);
}

// Wireshark's CSeq: the digits are looked for in the converted value (see make_valid_utf8),
// indexes bounded by the raw length; a non-digit must follow them. The number is strtoul() of
// the converted value; the method runs from the first letter to the end of the value, taken from
// the raw bytes at that index, and is dropped when longer than 16 bytes ("CSeq String too big").
std::size_t ascii_prefix(std::string_view raw);  // below

void read_cseq(std::string_view raw, bool plain, SipText &t) {
    // ASCII (the common case) converts to itself: no copy then.
    std::string converted;
    const bool ascii = plain || ascii_prefix(raw) == raw.size();
    if (!ascii) converted = make_valid_utf8(raw);  // never shorter than raw
    const std::string_view v = ascii ? raw : std::string_view(converted);
    const std::size_t len = raw.size();
    std::size_t k = 0;
    while (k < len && is_digit(v[k])) ++k;
    if (k == len) return;
    if (!t.has_cseq) {
        t.has_cseq = true;
        // strtoul reads the C string: up to a NUL (possible in the raw bytes).
        t.cseq = strtoul_u32(plain ? v : v.substr(0, std::min(v.size(), v.find('\0'))));
    }
    while (k < len && !is_alpha(v[k])) ++k;
    if (k < len && len - k <= 16 && !has_text(t.cseq_method)) t.cseq_method = raw.substr(k);
}

void keep(std::vector<std::string_view> &list, std::string_view value, std::size_t max) {
    if (list.size() < max) list.push_back(value);
}

void read_header(std::string_view name, std::string_view value, bool plain, bool *first_via,
                 SipText &t) {
    Hdr topic = Hdr::count_;
    switch (classify(name, &topic)) {
        case H::call_id:
            if (!has_text(t.call_id)) t.call_id = value;
            break;
        case H::cseq:
            read_cseq(value, plain, t);
            break;
        case H::via:
            read_via(value, *first_via, t);
            *first_via = false;
            break;
        case H::from: {
            std::string_view uri;
            std::size_t params = 0;
            if (!has_text(t.from_tag) && read_name_addr(value, &uri, &params)) {
                t.from_tag = read_tag(value, params);
            }
            break;
        }
        case H::to: {
            std::string_view uri;
            std::size_t params = 0;
            if (!has_text(t.to_uri) && read_name_addr(value, &uri, &params)) {
                t.to_uri = uri;
                t.to_tag = read_tag(value, params);
            }
            break;
        }
        case H::contact:
            // Every line (bounded by the message): the core keeps 64 contacts and counts the rest.
            t.contact.push_back(value);
            break;
        case H::session_expires:
            keep(t.session_expires, value, SipText::kMaxKept);
            break;
        case H::min_se:
            keep(t.min_se, value, SipText::kMaxKept);
            break;
        case H::if_match:
            keep(t.if_match, value, SipText::kMaxKept);
            break;
        case H::etag:
            keep(t.etag, value, SipText::kMaxKept);
            break;
        case H::event:
            keep(t.event, value, SipText::kMaxKept);
            break;
        case H::topic:
            keep(t.topics[static_cast<std::size_t>(topic)], value, SipText::kMaxTopicHeaders);
            t.topic_mask |= std::uint32_t{1} << static_cast<unsigned>(topic);
            break;
        case H::other:
            break;
    }
}

// Every member back to its initial value; the vectors keep their capacity.
void reset(SipText &t) {
    t.start = SipText::Start::other;
    t.status = 0;
    t.method = {};
    t.request_uri = {};
    t.call_id = {};
    t.has_cseq = false;
    t.cseq = 0;
    t.cseq_method = {};
    t.has_top_via = false;
    t.top_via_host = {};
    t.branch = {};
    t.via_count = 0;
    t.from_tag = {};
    t.to_uri = {};
    t.to_tag = {};
    t.contact.clear();
    t.session_expires.clear();
    t.min_se.clear();
    t.if_match.clear();
    t.etag.clear();
    t.event.clear();
    for (std::uint32_t m = t.topic_mask; m != 0; m &= m - 1) {
        t.topics[static_cast<std::size_t>(__builtin_ctz(m))].clear();
    }
    t.topic_mask = 0;
    t.plain = true;
}

}  // namespace

SipText parse_sip_message(std::string_view text) {
    SipText t;
    parse_sip_message(text, t);
    return t;
}

void parse_sip_message(std::string_view text, SipText &t) {
    reset(t);
    const Line first = scan_line(text, 0);
    t.plain = first.plain;
    read_start_line(text.substr(0, first.end), t);
    if (t.start == SipText::Start::other) return;
    bool first_via = true;
    std::size_t pos = first.next;
    while (pos < text.size()) {
        Line l = scan_line(text, pos);
        if (l.end == pos) break;  // the empty line: the body follows
        // Continuation lines belong to this header. Wireshark throws (and stops dissecting) when
        // one runs to the end of the data: the header is then not added.
        while (l.next < text.size() && is_wsp(text[l.next])) {
            const Line more = scan_line(text, l.next);
            if (more.next >= text.size()) return;
            if (l.colon == std::string_view::npos) l.colon = more.colon;
            l.plain = l.plain && more.plain;
            l.end = more.end;
            l.next = more.next;
        }
        const std::string_view line = text.substr(pos, l.end - pos);
        pos = l.next;
        if (l.colon == std::string_view::npos) continue;  // malformed: no colon, ignored
        t.plain = t.plain && l.plain;
        const std::size_t colon = l.colon - (line.data() - text.data());
        const std::size_t v = skip_wsp(line, colon + 1);
        read_header(line.substr(0, colon), line.substr(v), l.plain, &first_via, t);
    }
}

namespace {

// Length of the leading run of ASCII bytes (below 0x80): eight bytes at a time, then byte by byte.
std::size_t ascii_prefix(std::string_view raw) {
    std::size_t i = 0;
    for (std::uint64_t w = 0; i + 8 <= raw.size(); i += 8) {
        std::memcpy(&w, raw.data() + i, 8);
        if (w & 0x8080808080808080ULL) break;
    }
    while (i < raw.size() && static_cast<unsigned char>(raw[i]) < 0x80) ++i;
    return i;
}

// True when the field text is the bytes themselves: all ASCII, no NUL. One pass, eight bytes at a
// time: a byte with its high bit set, or a zero byte ((w - 0x01..) & ~w has the high bit of the
// lowest zero byte set), ends it.
bool plain_ascii(std::string_view raw) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    const char *p = raw.data();
    const std::size_t n = raw.size();
    std::size_t i = 0;
    std::uint64_t w = 0;
    for (; i + 8 <= n; i += 8) {
        std::memcpy(&w, p + i, 8);
        if ((w | ((w - kOnes) & ~w)) & kHigh) return false;
    }
    if (i < n && n >= 8) {  // the last, partial word: read the last eight bytes instead
        std::memcpy(&w, p + n - 8, 8);
        return ((w | ((w - kOnes) & ~w)) & kHigh) == 0;
    }
    for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c == 0 || c >= 0x80) return false;
    }
    return true;
}

}  // namespace

std::string field_text(std::string_view raw) {
    const std::size_t nul = raw.find('\0');
    return make_valid_utf8(nul == std::string_view::npos ? raw : raw.substr(0, nul));
}

std::string make_valid_utf8(std::string_view raw) {
    std::size_t i = ascii_prefix(raw);
    if (i == raw.size()) return std::string(raw);
    std::string out(raw.substr(0, i));
    out.reserve(raw.size() + 8);
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(raw[k]); };
    while (i < raw.size()) {
        const unsigned char c = byte(i);
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        // Well-formed sequences (Unicode Table 3-7): length and the range of the second byte.
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        // The maximal subpart: the lead byte and the continuation bytes that fit.
        std::size_t k = 1;
        if (len > 0) {
            for (; k < len && i + k < raw.size(); ++k) {
                const unsigned char b = byte(i + k);
                const bool ok = k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF;
                if (!ok) break;
            }
        }
        if (len > 0 && k == len) {
            out.append(raw.substr(i, len));
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD for the subpart
        }
        i += k;
    }
    return out;
}

bool topic_text(Hdr h, std::string_view raw, std::string *out) {
    if (h == Hdr::expires) {
        // strtoul stops at the first byte that is not a digit: reading the bytes before the NUL
        // gives the number of the converted text (U+FFFD is no digit or space either).
        const std::size_t nul = raw.find('\0');
        char buf[16];
        const auto r =
            std::to_chars(buf, buf + sizeof buf,
                          strtoul_u32(nul == std::string_view::npos ? raw : raw.substr(0, nul)));
        out->assign(buf, r.ptr);
        return true;
    }
    if (h == Hdr::retry_after) {
        // ws_strtou32 on the whole value: 0 unless all digits, saturated; none for a '-'.
        const std::string v = field_text(raw);
        if (!v.empty() && v.front() == '-') return false;
        std::uint64_t n = 0;
        bool digits = !v.empty();
        for (char c : v) {
            if (!is_digit(c)) {
                digits = false;
                break;
            }
            n = n > UINT32_MAX ? n : n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (!digits) n = 0;
        *out = std::to_string(n > UINT32_MAX ? UINT32_MAX : n);
        return true;
    }
    if (plain_ascii(raw)) {
        out->assign(raw.data(), raw.size());  // in place: `out` keeps its buffer
    } else {
        *out = field_text(raw);
    }
    return true;
}

namespace {
constexpr std::size_t kMaxHeaderItems = 64;  // as HeaderList::add
constexpr std::size_t kMaxHeaderText = 1024;
}  // namespace

namespace {

// The uncommon half of view_text(): a value that is not plain ASCII, converted into the store.
__attribute__((noinline)) std::string_view converted_text(std::string_view raw, std::size_t max,
                                                          TextStore &store) {
    std::string &s = store.next();
    s = bounded_copy(field_text(raw), max);
    return s;
}

// The text of a value as the adapter read it (bounded_copy(field_text(raw), max)): the bytes
// themselves when they are plain ASCII, else converted into the store. Inlined: a dozen calls per
// message, whose call overhead cost more than their work.
__attribute__((always_inline)) inline std::string_view view_text(std::string_view raw,
                                                                 std::size_t max, TextStore &store,
                                                                 bool plain) {
    if (plain || plain_ascii(raw)) return raw.substr(0, std::min(raw.size(), max));
    return converted_text(raw, max, store);
}

void view_list_some(const std::vector<std::string_view> &from, std::size_t max, TextStore &store,
                    bool plain, std::vector<std::string_view> &to);

__attribute__((always_inline)) inline void view_list(const std::vector<std::string_view> &from,
                                                     std::size_t max, TextStore &store, bool plain,
                                                     std::vector<std::string_view> &to) {
    if (from.empty()) {  // most lists of most messages
        to.clear();
        return;
    }
    view_list_some(from, max, store, plain, to);
}

void view_list_some(const std::vector<std::string_view> &from, std::size_t max, TextStore &store,
                    bool plain, std::vector<std::string_view> &to) {
    to.resize(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) to[i] = view_text(from[i], max, store, plain);
}

}  // namespace

void fill_view(const SipText &t, TextStore &store, MessageView &m) {
    const bool plain = t.plain;
    m.is_request = t.start == SipText::Start::request;
    m.status = t.start == SipText::Start::status ? t.status : 0;
    m.method = view_text(t.method, 64, store, plain);
    m.request_uri = view_text(t.request_uri, 2048, store, plain);
    // Whole: the core keeps only its hash (Call-IDs that differ after byte 4096 are different
    // calls).
    m.call_id = view_text(t.call_id, std::string::npos, store, plain);
    m.call_hash = hash_parts({m.call_id});
    m.client_hash_memo = 0;
    m.has_cseq = t.has_cseq;
    m.cseq = t.cseq;
    m.cseq_method = view_text(t.cseq_method, 64, store, plain);
    m.branch = view_text(t.branch, 256, store, plain);
    m.from_tag = view_text(t.from_tag, 256, store, plain);
    m.to_uri = view_text(t.to_uri, 2048, store, plain);
    m.to_tag = view_text(t.to_tag, 256, store, plain);
    // The client's identity is its top Via host with the number of Vias: a client's retry has as
    // many Vias as its first attempt (even from a new TCP port), a proxy's forwarded copy one more
    // (even when the proxy shares the client's host, as on loopback).
    // Read in place: client_hash() lowers it as it hashes it, with the count (a lower-cased copy
    // with "#count" appended was built for every message).
    m.via_sent_by =
        t.has_top_via ? view_text(t.top_via_host, 256, store, plain) : std::string_view{};
    m.via_count = m.via_sent_by.empty() ? 0 : t.via_count;
    view_list(t.contact, std::string::npos, store, plain, m.contact);
    view_list(t.session_expires, 256, store, plain, m.session_expires);
    view_list(t.min_se, 256, store, plain, m.min_se);
    view_list(t.if_match, 256, store, plain, m.if_match);
    view_list(t.etag, 256, store, plain, m.etag);
    view_list(t.event, 256, store, plain, m.event);
    // In Hdr order, as the adapter added them field by field (HeaderList keeps the first 64).
    auto &items = m.headers.items;
    items.clear();
    for (std::uint32_t mask = t.topic_mask; mask != 0 && items.size() < kMaxHeaderItems;
         mask &= mask - 1) {
        const auto h = static_cast<std::size_t>(__builtin_ctz(mask));
        for (std::string_view v : t.topics[h]) {
            if (items.size() == kMaxHeaderItems) break;
            const auto hdr = static_cast<Hdr>(h);
            std::string_view text;
            if ((hdr == Hdr::expires || hdr == Hdr::retry_after) || !(plain || plain_ascii(v))) {
                std::string &s = store.next();
                if (!topic_text(hdr, v, &s)) continue;
                if (s.size() > kMaxHeaderText) s = bounded_copy(s, kMaxHeaderText);
                text = s;
            } else {
                text = v.substr(0, std::min(v.size(), kMaxHeaderText));
            }
            items.emplace_back(hdr, text);
        }
    }
}

void fill_sip_message(const SipText &t, SipMessage &m) {
    TextStore store;
    MessageView v;
    fill_view(t, store, v);
    m.is_request = v.is_request;
    m.status = v.status;
    m.method = std::string(v.method);
    m.request_uri = std::string(v.request_uri);
    m.call_id = std::string(v.call_id);
    m.has_cseq = v.has_cseq;
    m.cseq = v.cseq;
    m.cseq_method = std::string(v.cseq_method);
    m.branch = std::string(v.branch);
    m.via_sent_by = std::string(v.via_sent_by);  // "host#count", lower-cased
    lower_in_place(m.via_sent_by);
    if (!m.via_sent_by.empty()) {
        m.via_sent_by += '#';
        m.via_sent_by += std::to_string(v.via_count);
    }
    m.from_tag = std::string(v.from_tag);
    m.to_uri = std::string(v.to_uri);
    m.to_tag = std::string(v.to_tag);
    const auto copy = [](const std::vector<std::string_view> &from, std::vector<std::string> &to) {
        to.assign(from.begin(), from.end());
    };
    copy(v.contact, m.contact);
    copy(v.session_expires, m.session_expires);
    copy(v.min_se, m.min_se);
    copy(v.if_match, m.if_match);
    copy(v.etag, m.etag);
    copy(v.event, m.event);
    m.headers.items.clear();
    for (const auto &i : v.headers.items)
        m.headers.items.emplace_back(i.first, std::string(i.second));
}

MessageView view_of(const SipMessage &m) {
    MessageView v;
    v.frame = m.frame;
    v.index = m.index;
    v.time_ns = m.time_ns;
    v.src = m.src;
    v.leg = m.leg;
    v.bytes_sig = m.bytes_sig;
    v.is_request = m.is_request;
    v.method = m.method;
    v.status = m.status;
    v.request_uri = m.request_uri;
    v.call_id = m.call_id;
    v.call_hash = hash_parts({v.call_id});
    v.has_cseq = m.has_cseq;
    v.cseq = m.cseq;
    v.cseq_method = m.cseq_method;
    v.branch = m.branch;
    // "host#count" (fill_sip_message()) back into host and count; a name without '#' counts 0.
    const std::string_view sent_by = m.via_sent_by;
    const std::size_t hash_at = sent_by.rfind('#');
    v.via_sent_by = sent_by;
    v.via_count = 0;
    if (hash_at != std::string_view::npos && hash_at > 0 && hash_at + 1 < sent_by.size() &&
        sent_by.find_first_not_of("0123456789", hash_at + 1) == std::string_view::npos &&
        sent_by.size() - hash_at - 1 <= 9) {
        v.via_sent_by = sent_by.substr(0, hash_at);
        std::from_chars(sent_by.data() + hash_at + 1, sent_by.data() + sent_by.size(), v.via_count);
    }
    v.from_tag = m.from_tag;
    v.to_uri = m.to_uri;
    v.to_tag = m.to_tag;
    const auto view = [](const std::vector<std::string> &from, std::vector<std::string_view> &to) {
        to.assign(from.begin(), from.end());
    };
    view(m.contact, v.contact);
    view(m.session_expires, v.session_expires);
    view(m.min_se, v.min_se);
    view(m.if_match, v.if_match);
    view(m.etag, v.etag);
    view(m.event, v.event);
    for (const auto &i : m.headers.items) v.headers.items.emplace_back(i.first, i.second);
    return v;
}

}  // namespace sipdiag
