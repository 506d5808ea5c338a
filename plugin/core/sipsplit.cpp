// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/sipsplit.h"

#include <cstdint>

namespace sipdiag {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool name_is(std::string_view name, std::string_view want) {
    if (name.size() != want.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (lower(name[i]) != want[i]) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

// The end of the header block of the message starting at `from` (the index just after the
// empty line), or npos when the bytes end first. Sets *content_length (-1 when absent or not a
// number).
std::size_t header_end(std::string_view b, std::size_t from, long long *content_length) {
    *content_length = -1;
    std::size_t line = from;
    bool first = true;
    while (line < b.size()) {
        const std::size_t nl = b.find('\n', line);
        if (nl == std::string_view::npos) return std::string_view::npos;
        std::string_view text = b.substr(line, nl - line);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (text.empty()) return nl + 1;
        // Only Content-Length and its compact form `l` matter: other lines are skipped on their
        // first character.
        const char c0 = lower(text.front());
        if (!first && (c0 == 'c' || c0 == 'l')) {
            const std::size_t colon = text.find(':');
            if (colon != std::string_view::npos) {
                const std::string_view name = trim(text.substr(0, colon));
                if (name_is(name, "content-length") || name_is(name, "l")) {
                    const std::string_view v = trim(text.substr(colon + 1));
                    long long n = 0;
                    bool ok = !v.empty() && v.size() <= 12;
                    for (char c : v) {
                        if (c < '0' || c > '9') {
                            ok = false;
                            break;
                        }
                        n = n * 10 + (c - '0');
                    }
                    *content_length = ok ? n : -1;
                }
            }
        }
        first = false;
        line = nl + 1;
    }
    return std::string_view::npos;
}

}  // namespace

std::size_t split_sip_messages(std::string_view b, MessageSpan *out, std::size_t max) {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (pos < b.size()) {
        while (pos < b.size() && (b[pos] == '\r' || b[pos] == '\n')) ++pos;
        if (pos >= b.size()) break;
        long long cl = -1;
        const std::size_t body = header_end(b, pos, &cl);
        std::size_t end = b.size();
        if (body != std::string_view::npos && cl >= 0 &&
            static_cast<unsigned long long>(cl) <= b.size() - body) {
            end = body + static_cast<std::size_t>(cl);
        }
        if (count < max) out[count] = MessageSpan{pos, end - pos};
        ++count;
        pos = end;
    }
    return count;
}

}  // namespace sipdiag
