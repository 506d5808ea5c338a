// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/topics.h"

namespace sipdiag {

namespace {

constexpr std::size_t kMaxItems = 16;  // tags, challenges, warnings kept per response

std::string unquoted(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return bounded_copy(v, 128);
}

}  // namespace

void append_tags(std::vector<std::string> &out, const HeaderViews &h, Hdr which) {
    for (const auto &item : h.items) {
        if (item.first != which) continue;
        for (std::string &t : parse_option_tags(item.second)) {
            if (out.size() < kMaxItems) out.push_back(std::move(t));
        }
    }
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

bool stale_challenge(const HeaderViews &resp) {
    for (const auto &item : resp.items) {
        if ((item.first == Hdr::www_authenticate || item.first == Hdr::proxy_authenticate) &&
            parse_challenge(item.second).stale) {
            return true;
        }
    }
    return false;
}

}  // namespace sipdiag
