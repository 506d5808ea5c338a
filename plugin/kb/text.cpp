// SPDX-License-Identifier: GPL-2.0-or-later
// Filling the knowledge base's texts: placeholders of the [labels] patterns, and tree labels that
// fit Wireshark's label buffer. No allocation: everything is written into the caller's buffer.
#include "kb/kb.h"

#include <cstring>

namespace sipdiag::kb {

namespace {

// Length of the UTF-8 sequence at p (at most `avail` bytes readable), or 0 when the bytes there
// are not a well-formed sequence (stray continuation byte, bad lead byte, cut sequence).
std::size_t utf8_len(const unsigned char *p, std::size_t avail) {
    std::size_t len = 0;
    if (p[0] < 0x80) {
        len = 1;
    } else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
    } else {
        return 0;
    }
    if (len > avail) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((p[k] & 0xC0) != 0x80) return 0;
    }
    return len;
}

// Appends to a fixed buffer, whole characters only; remembers whether something was dropped.
class Writer {
  public:
    Writer(char *out, std::size_t cap) : out_(out), cap_(cap) { out_[0] = '\0'; }

    // Appends the n bytes at s, at most `limit` bytes of output. With `escape`, control
    // characters and bytes that are not well-formed UTF-8 become \xNN.
    void put(const char *s, std::size_t n, std::size_t limit, bool escape) {
        if (full_) return;
        const auto *p = reinterpret_cast<const unsigned char *>(s);
        std::size_t used = 0;
        while (n > 0) {
            std::size_t len = utf8_len(p, n);
            char esc[5];
            const char *piece = reinterpret_cast<const char *>(p);
            std::size_t piece_len = len;
            if (escape && (len == 0 || (len == 1 && (p[0] < 0x20 || p[0] == 0x7F)))) {
                static const char kHex[] = "0123456789abcdef";
                esc[0] = '\\';
                esc[1] = 'x';
                esc[2] = kHex[p[0] >> 4];
                esc[3] = kHex[p[0] & 0x0F];
                esc[4] = '\0';
                piece = esc;
                piece_len = 4;
                len = 1;
            } else if (len == 0) {
                len = 1;  // not escaped: copied as it is, byte by byte
                piece_len = 1;
            }
            if (len_ + piece_len >= cap_) {  // the buffer is full: nothing more is written
                full_ = cut_ = true;
                return;
            }
            if (used + piece_len > limit) {  // this piece has used its share
                cut_ = true;
                return;
            }
            std::memcpy(out_ + len_, piece, piece_len);
            len_ += piece_len;
            used += piece_len;
            out_[len_] = '\0';
            p += len;
            n -= len;
        }
    }

    std::size_t length() const { return len_; }
    bool cut() const { return cut_; }

  private:
    char *out_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool cut_ = false;
    bool full_ = false;
};

constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

// Writes tmpl with its placeholders filled; argument `limited` (0-based, or nargs for none) is
// written with at most `limit` bytes and escaped.
void fill(Writer &w, const char *tmpl, const char *const *args, std::size_t nargs,
          std::size_t limited, std::size_t limit) {
    const char *lit = tmpl;
    const char *p = tmpl;
    while (*p != '\0') {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
            w.put(lit, static_cast<std::size_t>(p - lit), kNoLimit, false);
            const auto i = static_cast<std::size_t>(p[1] - '1');
            if (i < nargs && args[i] != nullptr) {
                const std::size_t n = std::strlen(args[i]);
                if (i == limited) {
                    w.put(args[i], n, limit, true);
                } else {
                    w.put(args[i], n, kNoLimit, false);
                }
            }
            p += 3;
            lit = p;
        } else {
            ++p;
        }
    }
    w.put(lit, std::strlen(lit), kNoLimit, false);
}

}  // namespace

std::size_t format(char *out, std::size_t cap, const char *tmpl, const char *const *args,
                   std::size_t nargs, bool *cut) {
    if (cap == 0) return 0;
    Writer w(out, cap);
    fill(w, tmpl != nullptr ? tmpl : "", args, nargs, nargs, kNoLimit);
    if (cut != nullptr) *cut = w.cut();
    return w.length();
}

bool tree_label(char *out, std::size_t cap, const char *caption, const char *value, Lang lang) {
    if (cap == 0) return false;
    const char *args[] = {caption != nullptr ? caption : "", value != nullptr ? value : ""};
    {
        Writer w(out, cap);
        fill(w, label(Label::field, lang), args, 2, 1, kNoLimit);
        if (!w.cut()) return false;
    }
    // Too long: measure the pattern without the value, then give the value what is left.
    const char *shell_args[] = {args[0], ""};
    Writer shell(out, cap);
    fill(shell, label(Label::field_truncated, lang), shell_args, 2, 2, 0);
    const std::size_t room = shell.length() < cap - 1 ? cap - 1 - shell.length() : 0;
    Writer w(out, cap);
    fill(w, label(Label::field_truncated, lang), args, 2, 1, room);
    return true;
}

}  // namespace sipdiag::kb
