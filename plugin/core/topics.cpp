// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/topics.h"

namespace sipdiag {

namespace {

constexpr std::size_t kMaxItems = 16;  // tags, challenges, warnings kept per response

// Splits on commas outside double quotes.
template <typename Fn>
void split_commas(std::string_view s, Fn &&fn) {
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted && i + 1 < s.size()) {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (s[i] == ',' && !quoted) {
            fn(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    fn(trim(s.substr(start)));
}

std::string unquoted(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return bounded_copy(v, 128);
}

void append_tags(std::vector<std::string> &out, const HeaderList &h, Hdr which) {
    for (const auto &item : h.items) {
        if (item.first != which) continue;
        for (std::string &t : parse_option_tags(item.second)) {
            if (out.size() < kMaxItems) out.push_back(std::move(t));
        }
    }
}

}  // namespace

bool TopicDetail::any() const {
    return !challenges.empty() || !unsupported.empty() || !required.empty() ||
           !request_require.empty() || !accept.empty() || !accept_encoding.empty() ||
           !warnings.empty() || !event.empty() || !allow_events.empty() || retry_after || expires ||
           min_expires || !security_mechanisms.empty() || !problems.empty();
}

bool TopicDetail::credentials_refused() const {
    if (!request_had_credentials) return false;
    for (const AuthChallenge &c : challenges) {
        if (c.stale) return false;
    }
    return true;
}

AuthChallenge parse_challenge(std::string_view value) {
    AuthChallenge c;
    value = trim(value);
    std::size_t sp = value.find_first_of(" \t");
    c.scheme = bounded_copy(value.substr(0, sp), 32);
    if (sp == std::string_view::npos) return c;
    split_commas(value.substr(sp + 1), [&](std::string_view p) {
        std::size_t eq = p.find('=');
        if (eq == std::string_view::npos) return;
        std::string name = to_lower(trim(p.substr(0, eq)));
        std::string_view v = p.substr(eq + 1);
        if (name == "realm") c.realm = unquoted(v);
        if (name == "algorithm") c.algorithm = unquoted(v);
        if (name == "qop") c.qop = unquoted(v);
        if (name == "stale") c.stale = iequals(unquoted(v), "true");
    });
    return c;
}

std::vector<std::string> parse_option_tags(std::string_view value) {
    std::vector<std::string> out;
    split_commas(value, [&](std::string_view t) {
        if (!t.empty() && out.size() < kMaxItems) out.push_back(to_lower(bounded_copy(t, 64)));
    });
    return out;
}

std::vector<WarningValue> parse_warnings(std::string_view value) {
    std::vector<WarningValue> out;
    split_commas(value, [&](std::string_view w) {
        if (w.empty() || out.size() >= kMaxItems) return;
        WarningValue v;
        if (w.size() >= 3 && w[0] >= '0' && w[0] <= '9' && w[1] >= '0' && w[1] <= '9' &&
            w[2] >= '0' && w[2] <= '9' && (w.size() == 3 || w[3] == ' ')) {
            v.code =
                static_cast<std::uint16_t>((w[0] - '0') * 100 + (w[1] - '0') * 10 + (w[2] - '0'));
            std::string_view rest = trim(w.substr(3));
            std::size_t sp = rest.find(' ');
            v.agent = bounded_copy(rest.substr(0, sp), 128);
            if (sp != std::string_view::npos) v.text = unquoted(rest.substr(sp + 1));
        } else {
            v.text = bounded_copy(w, 128);
        }
        out.push_back(std::move(v));
    });
    return out;
}

DeltaSeconds parse_retry_after(std::string_view value) {
    // Retry-After = delta-seconds [ comment ] *( SEMI retry-param ); drop the comment.
    std::string_view s = trim(value);
    std::size_t paren = s.find('(');
    if (paren != std::string_view::npos) s = s.substr(0, paren);
    return parse_delta_seconds(s);
}

bool stale_challenge(const HeaderList &resp) {
    for (const auto &item : resp.items) {
        if ((item.first == Hdr::www_authenticate || item.first == Hdr::proxy_authenticate) &&
            parse_challenge(item.second).stale) {
            return true;
        }
    }
    return false;
}

RequestFacts request_facts(const HeaderList &req, std::string_view event) {
    RequestFacts f;
    f.known = true;
    append_tags(f.require, req, Hdr::require);
    append_tags(f.require, req, Hdr::proxy_require);
    if (const std::string *e = req.first(Hdr::expires)) {
        DeltaSeconds d = parse_delta_seconds(*e);
        if (d.ok()) f.expires = d.value;
    }
    if (const std::string *ct = req.first(Hdr::content_type))
        f.content_type = bounded_copy(*ct, 128);
    f.event = std::string(event);
    f.has_credentials = req.has(Hdr::authorization) || req.has(Hdr::proxy_authorization);
    return f;
}

void diagnose_topics(unsigned code, const HeaderList &resp, const RequestFacts &req,
                     TopicDetail &out) {
    switch (code) {
        case 401:
        case 407: {
            const Hdr h = code == 401 ? Hdr::www_authenticate : Hdr::proxy_authenticate;
            for (const auto &item : resp.items) {
                if (item.first == h && out.challenges.size() < kMaxItems) {
                    out.challenges.push_back(parse_challenge(item.second));
                }
            }
            out.request_had_credentials = req.has_credentials;
            break;
        }
        case 420:
            append_tags(out.unsupported, resp, Hdr::unsupported);
            out.request_require = req.require;
            break;
        case 421:
            append_tags(out.required, resp, Hdr::require);
            break;
        case 415:
            if (const std::string *v = resp.first(Hdr::accept)) out.accept = bounded_copy(*v, 256);
            if (const std::string *v = resp.first(Hdr::accept_encoding)) {
                out.accept_encoding = bounded_copy(*v, 256);
            }
            if (const std::string *v = resp.first(Hdr::accept_language)) {
                out.accept_language = bounded_copy(*v, 256);
            }
            out.request_content_type = req.content_type;
            break;
        case 488:
        case 606:
            for (const auto &item : resp.items) {
                if (item.first != Hdr::warning) continue;
                for (WarningValue &w : parse_warnings(item.second)) {
                    if (out.warnings.size() < kMaxItems) out.warnings.push_back(std::move(w));
                }
            }
            break;
        case 489:
            out.event = req.event;
            if (const std::string *v = resp.first(Hdr::allow_events)) {
                out.allow_events = bounded_copy(*v, 256);
            }
            break;
        case 423:
            out.expires = req.expires;
            if (const std::string *v = resp.first(Hdr::min_expires)) {
                DeltaSeconds d = parse_delta_seconds(*v);
                if (d.ok()) {
                    out.min_expires = d.value;
                } else {
                    out.problems.push_back("Min-Expires \"" + bounded_copy(*v, 64) +
                                           "\": " + parse_error_text(d.error));
                }
            } else {
                out.problems.push_back(
                    "423 without Min-Expires: RFC 3261 section 21.4.17 requires it");
            }
            break;
        case 494:
            for (const auto &item : resp.items) {
                if (item.first != Hdr::security_server) continue;
                split_commas(item.second, [&](std::string_view m) {
                    if (!m.empty() && out.security_mechanisms.size() < kMaxItems) {
                        out.security_mechanisms.push_back(bounded_copy(m, 128));
                    }
                });
            }
            break;
        default:
            break;
    }
    if (const std::string *v = resp.first(Hdr::retry_after)) {
        DeltaSeconds d = parse_retry_after(*v);
        if (d.ok()) {
            out.retry_after = d.value;
        } else {
            out.problems.push_back("Retry-After \"" + bounded_copy(*v, 64) +
                                   "\": " + parse_error_text(d.error));
        }
    }
}

Severity severity_for(unsigned code, const TopicDetail *t, bool answered) {
    if (code < 300) return Severity::none;
    if (code < 400) return Severity::note;
    switch (code) {
        case 401:
        case 407:
            // A challenge is how authentication works; it matters only when nobody answers it.
            return answered ? Severity::chat : Severity::note;
        case 487:  // the answer to a CANCEL
            return Severity::chat;
        case 480:
        case 486:
        case 600:
        case 603:
            return Severity::note;  // the callee's state or choice, not a fault
        case 500:
            return Severity::error;
        case 503:
            return t && t->retry_after ? Severity::note : Severity::warn;
        default:
            break;
    }
    if (code >= 500 && code < 600) return Severity::error;
    return Severity::warn;
}

}  // namespace sipdiag
