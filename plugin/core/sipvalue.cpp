// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/sipvalue.h"

#include <cstring>

#include <limits>

namespace sipdiag {

namespace {

bool is_lws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// RFC 3261 25.1 token characters.
bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
    switch (c) {
        case '-':
        case '.':
        case '!':
        case '%':
        case '*':
        case '_':
        case '+':
        case '`':
        case '\'':
        case '~':
            return true;
        default:
            return false;
    }
}

char lower_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Splits `s` at top-level occurrences of `sep`, ignoring separators inside double quotes (with
// backslash escapes) and angle brackets. Calls fn(part) for each part. Returns false when a quote
// or bracket is left open (the last part is still delivered).
template <typename Fn>
bool split_top_level(std::string_view s, char sep, Fn &&fn) {
    bool in_quotes = false;
    bool in_angle = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (in_quotes) {
            if (c == '\\' && i + 1 < s.size()) {
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            }
            continue;
        }
        if (in_angle) {
            if (c == '>') in_angle = false;
            continue;
        }
        if (c == '"') {
            in_quotes = true;
        } else if (c == '<') {
            in_angle = true;
        } else if (c == sep) {
            if (!fn(s.substr(start, i - start))) return true;
            start = i + 1;
        }
    }
    fn(s.substr(start));
    return !in_quotes && !in_angle;
}

std::string_view unquote(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

}  // namespace

const char *parse_error_text(ParseError e) {
    switch (e) {
        case ParseError::none:
            return "ok";
        case ParseError::empty:
            return "empty value";
        case ParseError::not_numeric:
            return "not a number";
        case ParseError::overflow:
            return "larger than 2^32-1";
        case ParseError::syntax:
            return "syntax error";
    }
    return "unknown error";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
    return s;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    lower_in_place(out);
    return out;
}

void lower_in_place(std::string &s) {
    // Eight bytes at a time: it runs on every message's top Via host.
    char *p = s.data();
    const std::size_t n = s.size();
    auto lower_at = [p](std::size_t at) {
        std::uint64_t w;
        std::memcpy(&w, p + at, 8);
        const std::uint64_t l = lower_word(w);
        if (l != w) std::memcpy(p + at, &l, 8);
    };
    if (n < 8) {
        for (std::size_t i = 0; i < n; ++i) p[i] = lower_ascii(p[i]);
        return;
    }
    for (std::size_t i = 0; i + 8 <= n; i += 8) lower_at(i);
    // The last bytes as the word that ends the string (lowering twice changes nothing).
    if (n % 8 != 0) lower_at(n - 8);
}

std::string_view bounded_view(std::string_view s, std::size_t max, bool *truncated) {
    if (s.size() <= max) {
        if (truncated) *truncated = false;
        return s;
    }
    std::size_t cut = max;
    // Do not cut inside a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    if (truncated) *truncated = true;
    return s.substr(0, cut);
}

DeltaSeconds parse_delta_seconds(std::string_view text) {
    DeltaSeconds out;
    std::string_view s = trim(text);
    if (s.empty()) {
        out.error = ParseError::empty;
        return out;
    }
    if (!is_digit(s.front())) {
        out.error = ParseError::not_numeric;
        return out;
    }
    std::uint64_t v = 0;
    std::size_t i = 0;
    bool overflow = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        if (!overflow) {
            v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
            if (v > std::numeric_limits<std::uint32_t>::max()) overflow = true;
        }
    }
    std::string_view rest = trim(s.substr(i));
    if (!rest.empty() && rest.front() != ';') {
        out.error = ParseError::syntax;
        return out;
    }
    if (overflow) {
        out.error = ParseError::overflow;
        return out;
    }
    out.value = static_cast<std::uint32_t>(v);
    return out;
}

SessionExpires parse_session_expires(std::string_view text) {
    SessionExpires out;
    out.interval = parse_delta_seconds(text);
    std::size_t semi = text.find(';');
    if (semi == std::string_view::npos) return out;
    split_top_level(text.substr(semi + 1), ';', [&](std::string_view param) {
        param = trim(param);
        std::size_t eq = param.find('=');
        std::string_view name = trim(param.substr(0, eq));
        if (eq != std::string_view::npos && iequals(name, "refresher")) {
            out.refresher = to_lower(bounded_copy(unquote(param.substr(eq + 1)), 16));
        }
        return true;
    });
    return out;
}

QValue parse_qvalue(std::string_view text) {
    QValue out;
    std::string_view s = unquote(text);
    if (s.empty()) {
        out.error = ParseError::empty;
        return out;
    }
    if (s.front() != '0' && s.front() != '1') {
        out.error = is_digit(s.front()) ? ParseError::syntax : ParseError::not_numeric;
        return out;
    }
    const unsigned whole = static_cast<unsigned>(s.front() - '0');
    unsigned frac = 0;
    if (s.size() > 1) {
        if (s[1] != '.' || s.size() > 5) {
            out.error = ParseError::syntax;
            return out;
        }
        unsigned scale = 100;
        for (std::size_t i = 2; i < s.size(); ++i, scale /= 10) {
            if (!is_digit(s[i])) {
                out.error = ParseError::syntax;
                return out;
            }
            frac += static_cast<unsigned>(s[i] - '0') * scale;
        }
    }
    if (whole == 1 && frac != 0) {
        out.error = ParseError::syntax;  // q above 1.0
        return out;
    }
    out.milli = static_cast<std::uint16_t>(whole * 1000 + frac);
    return out;
}

namespace {

void parse_contact_params(std::string_view params, ContactEntry &entry) {
    split_top_level(params, ';', [&](std::string_view param) {
        param = trim(param);
        if (param.empty()) return true;
        std::size_t eq = param.find('=');
        std::string_view name = trim(param.substr(0, eq));
        std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : trim(param.substr(eq + 1));
        if (iequals(name, "q")) {
            QValue q = parse_qvalue(value);
            if (q.ok()) {
                entry.q_milli = q.milli;
            } else {
                entry.q_error = q.error;
                entry.bad_q_text = bounded_copy(value, 64);
            }
        } else if (iequals(name, "expires")) {
            DeltaSeconds d = parse_delta_seconds(unquote(value));
            if (d.ok()) {
                entry.expires = d.value;
            } else {
                entry.expires_error = d.error;
                entry.bad_expires_text = bounded_copy(value, 64);
            }
        }
        return true;
    });
}

void parse_one_contact(std::string_view part, ContactEntry &entry) {
    part = trim(part);
    if (part == "*") {
        entry.star = true;
        entry.uri = "*";
        return;
    }
    // Find a '<' outside double quotes.
    std::size_t lt = std::string_view::npos;
    bool in_quotes = false;
    for (std::size_t i = 0; i < part.size(); ++i) {
        const char c = part[i];
        if (in_quotes) {
            if (c == '\\' && i + 1 < part.size()) {
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            }
        } else if (c == '"') {
            in_quotes = true;
        } else if (c == '<') {
            lt = i;
            break;
        }
    }
    if (lt != std::string_view::npos) {
        entry.display = bounded_copy(unquote(part.substr(0, lt)), 128);
        std::size_t gt = part.find('>', lt + 1);
        if (gt == std::string_view::npos) {
            entry.syntax_error = ParseError::syntax;
            entry.uri =
                bounded_copy(trim(part.substr(lt + 1)), kMaxUriLength, &entry.uri_truncated);
            return;
        }
        entry.uri = bounded_copy(trim(part.substr(lt + 1, gt - lt - 1)), kMaxUriLength,
                                 &entry.uri_truncated);
        std::string_view rest = part.substr(gt + 1);
        std::size_t semi = rest.find(';');
        if (semi != std::string_view::npos) parse_contact_params(rest.substr(semi + 1), entry);
        return;
    }
    if (in_quotes) entry.syntax_error = ParseError::syntax;
    // addr-spec form: parameters after the first ';' belong to the contact, not the URI.
    std::size_t semi = part.find(';');
    entry.uri = bounded_copy(trim(part.substr(0, semi)), kMaxUriLength, &entry.uri_truncated);
    if (semi != std::string_view::npos) parse_contact_params(part.substr(semi + 1), entry);
}

}  // namespace

void parse_contacts(std::string_view header_value, ContactList &out) {
    const bool balanced = split_top_level(header_value, ',', [&](std::string_view part) {
        if (trim(part).empty()) return true;
        ++out.total;
        if (out.entries.size() < kMaxContacts) {
            ContactEntry entry;
            parse_one_contact(part, entry);
            out.entries.push_back(std::move(entry));
        }
        return true;
    });
    // The unbalanced part is the last one: flag it only when it was kept.
    if (!balanced && !out.truncated() && !out.entries.empty() &&
        out.entries.back().syntax_error == ParseError::none) {
        out.entries.back().syntax_error = ParseError::syntax;
    }
}

std::string parse_entity_tag(std::string_view text, ParseError *error) {
    std::string_view s = trim(text);
    ParseError e = ParseError::none;
    if (s.empty()) {
        e = ParseError::empty;
    } else {
        for (char c : s) {
            if (!is_token_char(c)) {
                e = ParseError::syntax;
                break;
            }
        }
    }
    if (error) *error = e;
    return e == ParseError::none ? bounded_copy(s, 256) : std::string();  // empty if invalid
}

std::string parse_event_type(std::string_view text) {
    std::string_view s = trim(text);
    std::size_t semi = s.find(';');
    return to_lower(bounded_copy(trim(s.substr(0, semi)), 64));
}

}  // namespace sipdiag
