// SPDX-License-Identifier: GPL-2.0-or-later
// kbgen: validates the knowledge-base data files (plugin/kb/data/<lang>.kb) and turns them into
// the constant tables behind kb.h. Runs on the build host; see plugin/kb/README.md for the format.
//
//   kbgen OUT.cpp en.kb fr.kb        validate all languages, write the C++ tables
//   kbgen --check en.kb fr.kb        validate only
//   kbgen --markdown OUT.md en.kb    validate en.kb, write a Markdown table of the covered codes
//
// Every problem is reported as "file:line: error: message" (or "file: error: message" when
// something is missing from a whole file) and the exit status is 1; nothing is written then.
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// The IANA "SIP Parameters / Response Codes" registry. A new registration needs a line here plus
// a [code] block in every .kb file (kbgen says what is missing).
constexpr std::array<unsigned, 75> kIanaCodes = {
    100, 180, 181, 182, 183, 199,                                          // 1xx
    200, 202, 204,                                                         // 2xx
    300, 301, 302, 305, 380,                                               // 3xx
    400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415,  // 4xx
    416, 417, 420, 421, 422, 423, 424, 425, 428, 429, 430, 433, 436, 437,  //
    438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486, 487, 488,  //
    489, 491, 493, 494,                                                    //
    500, 501, 502, 503, 504, 505, 513, 555, 580,                           // 5xx
    600, 603, 604, 606, 607, 608,                                          // 6xx
};

// Same order as sipdiag::kb::Lang. The first one is the reference language and the only one
// that carries the (protocol) reason phrases.
constexpr std::array<const char *, 2> kLangs = {"en", "fr"};

// Same order as sipdiag::kb::Label, with the number of placeholders ({1}..{N}) each text must
// use in every language.
struct LabelKey {
    const char *key;
    unsigned args;
};
constexpr std::array<LabelKey, 33> kLabelKeys = {{
    {"compared_with", 0},            // Label::compared_with
    {"request", 0},                  // Label::request
    {"no_request", 0},               // Label::no_request
    {"values", 0},                   // Label::values
    {"unregistered_note", 0},        // Label::unregistered_note
    {"field", 2},                    // Label::field
    {"field_truncated", 2},          // Label::field_truncated
    {"seconds", 1},                  // Label::seconds
    {"request_item", 1},             // Label::request_item
    {"retry_after", 2},              // Label::retry_after
    {"followup", 0},                 // Label::followup
    {"outcome_pending", 0},          // Label::outcome_pending
    {"outcome_followed_ok", 0},      // Label::outcome_followed_ok
    {"outcome_wrong_fix", 0},        // Label::outcome_wrong_fix
    {"outcome_not_followed", 0},     // Label::outcome_not_followed
    {"outcome_request_missing", 0},  // Label::outcome_request_missing
    {"capture_ends", 2},             // Label::capture_ends
    {"call_hint", 2},                // Label::call_hint
    {"redirect", 1},                 // Label::redirect
    {"publication", 0},              // Label::publication
    {"different_tag", 0},            // Label::different_tag
    {"session_timer", 0},            // Label::session_timer
    {"below_min_se", 1},             // Label::below_min_se
    {"registration_interval", 0},    // Label::registration_interval
    {"below_min_expires", 1},        // Label::below_min_expires
    {"challenge", 1},                // Label::challenge
    {"option_tags", 0},              // Label::option_tags
    {"accepted_content", 0},         // Label::accepted_content
    {"warnings", 0},                 // Label::warnings
    {"event_package", 0},            // Label::event_package
    {"glare", 0},                    // Label::glare
    {"glare_rule", 0},               // Label::glare_rule
    {"security_agreement", 0},       // Label::security_agreement
}};

constexpr std::array<const char *, 4> kTextKeys = {"meaning", "when", "fix", "rfc"};
constexpr std::array<const char *, 5> kClassKeys = {"name", "meaning", "when", "fix", "rfc"};
constexpr unsigned kClassCount = 6;

constexpr bool strictly_ascending() {
    for (std::size_t i = 1; i < kIanaCodes.size(); ++i) {
        if (kIanaCodes[i - 1] >= kIanaCodes[i]) return false;
    }
    return true;
}
static_assert(strictly_ascending(), "kIanaCodes must be sorted (binary search, generated order)");

bool is_registered(unsigned code) {
    return std::binary_search(kIanaCodes.begin(), kIanaCodes.end(), code);
}

template <std::size_t N>
bool contains(const std::array<const char *, N> &keys, const std::string &key) {
    return std::any_of(keys.begin(), keys.end(), [&](const char *k) { return key == k; });
}

bool is_label_key(const std::string &key) {
    return std::any_of(kLabelKeys.begin(), kLabelKeys.end(),
                       [&](const LabelKey &k) { return key == k.key; });
}

// A [fields] key is a sipdiag filter name: "sipdiag" (the protocol) or "sipdiag." followed by
// lower-case letters, digits, '_' and '.'.
bool is_field_key(const std::string &key) {
    if (key == "sipdiag") return true;
    const std::string prefix = "sipdiag.";
    if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) return false;
    if (key.back() == '.') return false;
    return std::all_of(
        key.begin() + static_cast<std::ptrdiff_t>(prefix.size()), key.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        });
}

// The placeholders {1}..{9} a text uses, as a bit set (bit n for {n}).
unsigned placeholders(const std::string &text) {
    unsigned set = 0;
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
        if (text[i] == '{' && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}') {
            set |= 1u << (text[i + 1] - '0');
        }
    }
    return set;
}

std::string placeholder_list(unsigned set) {
    std::string out;
    for (unsigned n = 1; n <= 9; ++n) {
        if (set & (1u << n)) out += (out.empty() ? "{" : ", {") + std::to_string(n) + "}";
    }
    return out.empty() ? "none" : out;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

class Diag {
  public:
    void error(const std::string &file, int line, const std::string &msg) {
        messages_.push_back({file, line, msg});
    }
    bool failed() const { return !messages_.empty(); }

    // Prints the messages grouped by file (in the order the files were first mentioned), by
    // line within a file, whole-file messages last. Returns the exit status.
    int report() {
        std::vector<std::string> files;
        for (const auto &m : messages_) {
            if (std::find(files.begin(), files.end(), m.file) == files.end()) {
                files.push_back(m.file);
            }
        }
        auto rank = [&](const Message &m) {
            return std::find(files.begin(), files.end(), m.file) - files.begin();
        };
        auto line_key = [](const Message &m) {
            return m.line > 0 ? m.line : std::numeric_limits<int>::max();
        };
        std::stable_sort(messages_.begin(), messages_.end(),
                         [&](const Message &a, const Message &b) {
                             if (rank(a) != rank(b)) return rank(a) < rank(b);
                             return line_key(a) < line_key(b);
                         });
        for (const auto &m : messages_) {
            std::cerr << m.file;
            if (m.line > 0) std::cerr << ':' << m.line;
            std::cerr << ": error: " << m.text << '\n';
        }
        if (!messages_.empty()) {
            std::cerr << "kbgen: " << messages_.size() << " error(s); nothing written\n";
        }
        return messages_.empty() ? 0 : 1;
    }

  private:
    struct Message {
        std::string file;
        int line;
        std::string text;
    };
    std::vector<Message> messages_;
};

// ---------------------------------------------------------------------------------------------
// Data model

struct Value {
    std::string text;
    int line = 0;
};

enum class Kind { code, cls, labels, fields };

struct Section {
    Kind kind = Kind::code;
    unsigned number = 0;  // code, or class digit
    std::string title;    // as written between the brackets, for messages
    int line = 0;
    std::map<std::string, Value> values;               // plain keys
    std::vector<std::pair<unsigned, Value>> compares;  // "vs NNN", in file order

    const Value *compare(unsigned code) const {
        for (const auto &c : compares) {
            if (c.first == code) return &c.second;
        }
        return nullptr;
    }
    std::string text(const std::string &key) const {
        auto it = values.find(key);
        return it == values.end() ? std::string() : it->second.text;
    }
};

struct KbFile {
    std::string path;
    std::string lang;
    bool reference = false;  // the file that carries reason phrases (en)
    std::map<unsigned, Section> codes;
    std::map<unsigned, Section> classes;
    std::optional<Section> labels;
    std::optional<Section> fields;  // captions by filter name
};

// ---------------------------------------------------------------------------------------------
// Parsing

std::string trim(std::string_view s) {
    const char *ws = " \t";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (i + len > s.size()) return i;
        for (std::size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0u) != 0x80u) return i;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        // Overlong forms, surrogates and values above U+10FFFF.
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

bool parse_number(const std::string &s, unsigned *out) {
    if (s.size() != 3 ||
        !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        return false;
    }
    *out = static_cast<unsigned>(std::stoul(s));
    return true;
}

// "vs 412" -> 412. Returns false when the key does not start with "vs".
bool parse_vs_key(const std::string &key, std::string *rest) {
    if (key.size() < 2 || key.compare(0, 2, "vs") != 0) return false;
    if (key.size() > 2 && key[2] != ' ' && key[2] != '\t') return false;
    *rest = trim(std::string_view(key).substr(2));
    return true;
}

std::string base_language(const std::string &path) {
    auto slash = path.find_last_of("/\\");
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto dot = name.rfind('.');
    if (dot == std::string::npos || name.substr(dot) != ".kb") return {};
    return name.substr(0, dot);
}

std::string expected_keys(Kind kind, bool reference) {
    switch (kind) {
        case Kind::code:
            return reference ? "reason, meaning, when, fix, rfc, vs NNN"
                             : "meaning, when, fix, rfc, vs NNN";
        case Kind::cls:
            return "name, meaning, when, fix, rfc";
        case Kind::labels: {
            std::string all;
            for (const LabelKey &k : kLabelKeys) {
                all += (all.empty() ? "" : ", ") + std::string(k.key);
            }
            return all;
        }
        case Kind::fields:
            return "a sipdiag filter name (sipdiag or sipdiag.<name>)";
    }
    return {};
}

class Parser {
  public:
    Parser(KbFile &file, Diag &diag) : f_(file), diag_(diag) {}

    void parse(const std::string &content) {
        std::size_t pos = 0;
        int lineno = 0;
        if (content.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // tolerate a UTF-8 BOM
        while (pos <= content.size()) {
            auto nl = content.find('\n', pos);
            std::string line =
                content.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            ++lineno;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            handle_line(line, lineno);
            if (nl == std::string::npos) break;
            pos = nl + 1;
        }
    }

  private:
    void err(int line, const std::string &msg) { diag_.error(f_.path, line, msg); }

    void handle_line(const std::string &line, int lineno) {
        auto bad = invalid_utf8_at(line);
        if (bad != std::string::npos) {
            err(lineno,
                "invalid UTF-8 at column " + std::to_string(bad + 1) + " (save the file as UTF-8)");
            current_value_ = nullptr;
            return;
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            auto c = static_cast<unsigned char>(line[i]);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                err(lineno, "control character at column " + std::to_string(i + 1));
                return;
            }
        }
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') return;  // blank or comment: does not end a value

        if (line[0] == ' ' || line[0] == '\t') {
            continuation(t, lineno);
            return;
        }
        current_value_ = nullptr;
        if (t[0] == '[') {
            section_header(t, lineno);
        } else {
            key_line(t, lineno);
        }
    }

    void continuation(const std::string &t, int lineno) {
        if (current_value_ == nullptr) {
            err(lineno,
                "indented line does not continue a value (keys and [sections] start in column 1)");
            return;
        }
        auto eq = t.find('=');
        if (eq != std::string::npos && current_ != nullptr) {
            std::string maybe_key = trim(std::string_view(t).substr(0, eq)), rest;
            if (known_key(current_->kind, maybe_key) || parse_vs_key(maybe_key, &rest)) {
                err(lineno, "indented '" + maybe_key +
                                " =' would be glued to the previous value; start keys in column 1");
                return;
            }
        }
        if (!current_value_->text.empty()) current_value_->text += ' ';
        current_value_->text += t;
    }

    static bool known_key(Kind kind, const std::string &key) {
        switch (kind) {
            case Kind::code:
                return key == "reason" || contains(kTextKeys, key);
            case Kind::cls:
                return contains(kClassKeys, key);
            case Kind::labels:
                return is_label_key(key);
            case Kind::fields:
                return is_field_key(key);
        }
        return false;
    }

    void section_header(const std::string &t, int lineno) {
        current_ = nullptr;
        seen_section_ = true;
        if (t.back() != ']') {
            err(lineno, "section header must end with ']'");
            return;
        }
        std::string name = trim(std::string_view(t).substr(1, t.size() - 2));
        Section s;
        s.title = "[" + name + "]";
        s.line = lineno;
        unsigned n = 0;
        std::map<unsigned, Section> *target = nullptr;
        if (parse_number(name, &n)) {
            if (!is_registered(n)) {
                err(lineno, s.title + " is not in the IANA response-code registry; unregistered " +
                                "codes are explained by [class " + std::to_string(n / 100) +
                                "] (to add a newly registered code, list it in kbgen.cpp's "
                                "kIanaCodes first)");
                return;
            }
            s.kind = Kind::code;
            target = &f_.codes;
        } else if (name.compare(0, 5, "class") == 0 && name.size() > 5 &&
                   (name[5] == ' ' || name[5] == '\t')) {
            std::string digit = trim(std::string_view(name).substr(5));
            if (digit.size() != 1 || digit[0] < '1' || digit[0] > '6') {
                err(lineno, "unknown class " + s.title + "; expected [class 1] .. [class 6]");
                return;
            }
            n = static_cast<unsigned>(digit[0] - '0');
            s.kind = Kind::cls;
            target = &f_.classes;
        } else if (name == "labels" || name == "fields") {
            const bool labels = name == "labels";
            s.kind = labels ? Kind::labels : Kind::fields;
            std::optional<Section> &slot = labels ? f_.labels : f_.fields;
            if (slot) {
                err(lineno, "duplicate section " + s.title + " (first at line " +
                                std::to_string(slot->line) + ")");
                return;
            }
            slot = s;
            current_ = &*slot;
            return;
        } else {
            err(lineno,
                "unknown section " + s.title +
                    "; expected [NNN] (a registered code), [class N], [labels] or [fields]");
            return;
        }
        s.number = n;
        auto [it, inserted] = target->emplace(n, s);
        if (!inserted) {
            err(lineno, "duplicate section " + s.title + " (first at line " +
                            std::to_string(it->second.line) + ")");
            return;
        }
        current_ = &it->second;
    }

    void key_line(const std::string &t, int lineno) {
        auto eq = t.find('=');
        if (eq == std::string::npos) {
            err(lineno, "expected 'key = value'");
            return;
        }
        if (current_ == nullptr) {
            // Either before the first section or inside a section that was rejected (already
            // reported); only the first case deserves its own message.
            if (!seen_section_) err(lineno, "'key = value' before the first [section]");
            return;
        }
        std::string key = trim(std::string_view(t).substr(0, eq));
        Value v{trim(std::string_view(t).substr(eq + 1)), lineno};
        std::string rest;
        if (current_->kind == Kind::code && parse_vs_key(key, &rest)) {
            unsigned n = 0;
            if (!parse_number(rest, &n)) {
                err(lineno, "'" + key + "': expected 'vs' followed by a three-digit code");
                return;
            }
            if (const Value *prev = current_->compare(n)) {
                err(lineno, "duplicate key 'vs " + std::to_string(n) + "' in " + current_->title +
                                " (first at line " + std::to_string(prev->line) + ")");
                return;
            }
            current_->compares.emplace_back(n, v);
            current_value_ = &current_->compares.back().second;
            return;
        }
        if (!known_key(current_->kind, key)) {
            err(lineno, "unknown key '" + key + "' in " + current_->title +
                            "; expected one of: " + expected_keys(current_->kind, f_.reference));
            return;
        }
        if (key == "reason" && !f_.reference) {
            err(lineno, "'reason' is protocol text and comes from " + std::string(kLangs[0]) +
                            ".kb only; remove it here");
            return;
        }
        auto [it, inserted] = current_->values.emplace(key, v);
        if (!inserted) {
            err(lineno, "duplicate key '" + key + "' in " + current_->title + " (first at line " +
                            std::to_string(it->second.line) + ")");
            return;
        }
        current_value_ = &it->second;
    }

    KbFile &f_;
    Diag &diag_;
    Section *current_ = nullptr;
    Value *current_value_ = nullptr;
    bool seen_section_ = false;
};

bool load(const std::string &path, KbFile &out, Diag &diag) {
    out.path = path;
    out.lang = base_language(path);
    if (out.lang.empty()) {
        diag.error(path, 0, "data files must be named <language>.kb (e.g. en.kb)");
        return false;
    }
    auto known =
        std::find_if(kLangs.begin(), kLangs.end(), [&](const char *l) { return out.lang == l; });
    if (known == kLangs.end()) {
        std::string all;
        for (const char *l : kLangs) all += (all.empty() ? "" : ", ") + std::string(l);
        diag.error(path, 0,
                   "unknown language '" + out.lang + "' (known: " + all +
                       "); a new language also needs an entry in kb.h's Lang and in kbgen.cpp");
        return false;
    }
    out.reference = out.lang == kLangs[0];
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diag.error(path, 0, "cannot open file");
        return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    Parser(out, diag).parse(buf.str());
    return true;
}

// ---------------------------------------------------------------------------------------------
// Validation

void need_text(const KbFile &f, const Section &s, const std::string &key, Diag &diag) {
    auto it = s.values.find(key);
    if (it == s.values.end()) {
        diag.error(f.path, s.line, s.title + " has no '" + key + "'");
    } else if (it->second.text.empty()) {
        diag.error(f.path, it->second.line, "empty value for '" + key + "' in " + s.title);
    }
}

void check_rfc(const KbFile &f, const Section &s, Diag &diag) {
    auto it = s.values.find("rfc");
    if (it == s.values.end() || it->second.text.empty()) return;  // reported by need_text
    const std::string &v = it->second.text;
    auto p = v.find("RFC ");
    if (p == std::string::npos || p + 4 >= v.size() || v[p + 4] < '0' || v[p + 4] > '9') {
        diag.error(f.path, it->second.line,
                   "'rfc' in " + s.title + " should name the RFC as 'RFC <number>[, section x.y]'");
    }
}

// Checks that make sense for one file on its own.
void validate_file(const KbFile &f, Diag &diag) {
    for (unsigned code : kIanaCodes) {
        auto it = f.codes.find(code);
        if (it == f.codes.end()) {
            diag.error(f.path, 0,
                       "missing [" + std::to_string(code) + "] (every registered code needs one)");
            continue;
        }
        const Section &s = it->second;
        if (f.reference) need_text(f, s, "reason", diag);
        for (const char *k : kTextKeys) need_text(f, s, k, diag);
        check_rfc(f, s, diag);
        for (const auto &[target, v] : s.compares) {
            if (target == code) {
                diag.error(f.path, v.line, s.title + " compares with itself");
            } else if (f.codes.count(target) == 0) {
                diag.error(f.path, v.line,
                           "'vs " + std::to_string(target) + "': there is no [" +
                               std::to_string(target) + "] entry to compare with");
            } else if (f.codes.at(target).compare(code) == nullptr) {
                diag.error(f.path, v.line,
                           "'vs " + std::to_string(target) + "' in " + s.title + " has no " +
                               "counterpart 'vs " + std::to_string(code) + "' in [" +
                               std::to_string(target) + "] (comparisons go both ways)");
            }
            if (v.text.empty()) {
                diag.error(f.path, v.line,
                           "empty value for 'vs " + std::to_string(target) + "' in " + s.title);
            }
        }
    }
    for (unsigned cls = 1; cls <= kClassCount; ++cls) {
        auto it = f.classes.find(cls);
        if (it == f.classes.end()) {
            diag.error(f.path, 0, "missing [class " + std::to_string(cls) + "]");
            continue;
        }
        for (const char *k : kClassKeys) need_text(f, it->second, k, diag);
        check_rfc(f, it->second, diag);
    }
    if (!f.labels) {
        diag.error(f.path, 0, "missing [labels]");
    } else {
        for (const LabelKey &k : kLabelKeys) {
            need_text(f, *f.labels, k.key, diag);
            auto it = f.labels->values.find(k.key);
            if (it == f.labels->values.end() || it->second.text.empty()) continue;
            const unsigned want = ((1u << (k.args + 1)) - 1) & ~1u;  // {1}..{args}
            const unsigned got = placeholders(it->second.text);
            if (got != want) {
                diag.error(f.path, it->second.line,
                           "'" + std::string(k.key) + "' in [labels] must use the placeholders " +
                               placeholder_list(want) + ", not " + placeholder_list(got));
            }
        }
    }
    if (!f.fields) {
        diag.error(f.path, 0, "missing [fields]");
    } else if (f.fields->values.empty()) {
        diag.error(f.path, f.fields->line, "[fields] is empty");
    } else {
        for (const auto &[key, v] : f.fields->values) {
            if (v.text.empty()) {
                diag.error(f.path, v.line, "empty value for '" + key + "' in [fields]");
            }
        }
    }
}

// Every translation must offer the same comparisons and caption the same fields as the
// reference language.
void validate_against(const KbFile &ref, const KbFile &f, Diag &diag) {
    if (ref.fields && f.fields) {
        for (const auto &[key, v] : ref.fields->values) {
            if (f.fields->values.count(key) == 0) {
                diag.error(f.path, f.fields->line,
                           "[fields] lacks '" + key + "' that " + ref.path + ":" +
                               std::to_string(v.line) + " has");
            }
        }
        for (const auto &[key, v] : f.fields->values) {
            if (ref.fields->values.count(key) == 0) {
                diag.error(f.path, v.line,
                           "'" + key + "' is not in [fields] of " + ref.path +
                               "; add it there first (all languages caption the same fields)");
            }
        }
    }
    for (const auto &[code, s] : f.codes) {
        auto rit = ref.codes.find(code);
        if (rit == ref.codes.end()) continue;  // reported for ref already
        const Section &r = rit->second;
        for (const auto &[target, v] : r.compares) {
            if (s.compare(target) == nullptr) {
                diag.error(f.path, s.line,
                           s.title + " lacks 'vs " + std::to_string(target) + "' that " + ref.path +
                               ":" + std::to_string(v.line) + " has");
            }
        }
        for (const auto &[target, v] : s.compares) {
            if (r.compare(target) == nullptr) {
                diag.error(f.path, v.line,
                           "'vs " + std::to_string(target) + "' is not in " + r.title + " of " +
                               ref.path + "; add it there first (all languages compare the " +
                               "same codes)");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output

// A C++ string literal that any compiler reads back byte for byte: ASCII printable characters
// as they are, everything else (UTF-8 bytes included) as three-digit octal escapes, which,
// unlike \x escapes, cannot swallow a following digit. '?' is escaped against trigraphs.
std::string literal(const std::string &s) {
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\' || c == '?') {
            out += '\\';
            out += ch;
        } else if (c >= 0x20 && c < 0x7F) {
            out += ch;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
            out += buf;
        }
    }
    out += '"';
    return out;
}

std::string class_text_name(unsigned cls, const std::string &key, const std::string &lang) {
    return "kClass" + std::to_string(cls) + "_" + key + "_" + lang;
}

std::string generate_cpp(const std::vector<const KbFile *> &files) {
    const KbFile &ref = *files[0];
    std::ostringstream o;
    o << "// Generated by kbgen from";
    for (const KbFile *f : files) o << ' ' << base_language(f->path) << ".kb";
    o << ". Do not edit: change plugin/kb/data/<lang>.kb instead.\n"
         "// NOLINTBEGIN\n"
         "// clang-format off\n"
         "#include \"kb/kb.h\"\n\n"
         "#include <cstring>\n\n"
         "namespace sipdiag::kb {\n"
         "namespace {\n\n"
         "static_assert(kLangCount == "
      << files.size()
      << ", \"kb.h and the .kb data files disagree on the languages\");\n"
         "static_assert(static_cast<unsigned>(Label::count_) == "
      << kLabelKeys.size()
      << ", \"kb.h and kbgen disagree on the labels\");\n\n"
         "constexpr unsigned char kLabelArgs["
      << kLabelKeys.size() << "] = {";
    for (std::size_t i = 0; i < kLabelKeys.size(); ++i) o << (i ? ", " : "") << kLabelKeys[i].args;
    o << "};\n\n"
         "// Filter names with a caption, in ascending order (binary search).\n"
         "constexpr const char *kFieldKeys["
      << ref.fields->values.size() << "] = {\n";
    for (const auto &[key, v] : ref.fields->values) o << "    " << literal(key) << ",\n";
    o << "};\n\n"
         "constexpr std::uint16_t kCodes["
      << kIanaCodes.size() << "] = {";
    for (std::size_t i = 0; i < kIanaCodes.size(); ++i) {
        o << (i % 15 == 0 ? "\n    " : " ") << kIanaCodes[i] << ',';
    }
    o << "\n};\n";

    for (const KbFile *f : files) {
        const std::string &lang = f->lang;
        o << "\n// ---- " << lang << " ----\n";
        for (unsigned cls = 1; cls <= kClassCount; ++cls) {
            const Section &s = f->classes.at(cls);
            for (const char *k : kClassKeys) {
                o << "constexpr char " << class_text_name(cls, k, lang)
                  << "[] = " << literal(s.text(k)) << ";\n";
            }
        }
        for (unsigned code : kIanaCodes) {
            const Section &s = f->codes.at(code);
            if (s.compares.empty()) continue;
            // Translations list their comparisons in the reference order.
            const Section &r = ref.codes.at(code);
            o << "constexpr Compare kCompare_" << lang << '_' << code << "[] = {\n";
            for (const auto &rc : r.compares) {
                o << "    {" << rc.first << ", " << literal(s.compare(rc.first)->text) << "},\n";
            }
            o << "};\n";
        }
        o << "constexpr Entry kTable_" << lang << "[600] = {\n";
        for (unsigned code = 100; code <= 699; ++code) {
            auto it = f->codes.find(code);
            if (it != f->codes.end()) {
                const Section &s = it->second;
                const Section &r = ref.codes.at(code);
                o << "    {" << code << ", " << literal(r.text("reason")) << ",\n     "
                  << literal(s.text("meaning")) << ",\n     " << literal(s.text("when"))
                  << ",\n     " << literal(s.text("fix")) << ",\n     " << literal(s.text("rfc"))
                  << ",\n     ";
                if (s.compares.empty()) {
                    o << "nullptr, 0, true},\n";
                } else {
                    o << "kCompare_" << lang << '_' << code << ", " << s.compares.size()
                      << ", true},\n";
                }
            } else {
                unsigned cls = code / 100;
                o << "    {" << code << ", \"\", " << class_text_name(cls, "meaning", lang) << ", "
                  << class_text_name(cls, "when", lang) << ", " << class_text_name(cls, "fix", lang)
                  << ", " << class_text_name(cls, "rfc", lang) << ", nullptr, 0, false},\n";
            }
        }
        o << "};\n";
        o << "constexpr const char *kClassNames_" << lang << "[" << kClassCount + 1 << "] = {\"\"";
        for (unsigned cls = 1; cls <= kClassCount; ++cls) {
            o << ", " << class_text_name(cls, "name", lang);
        }
        o << "};\n";
        o << "constexpr const char *kLabels_" << lang << "[" << kLabelKeys.size() << "] = {\n";
        for (const LabelKey &k : kLabelKeys) {
            o << "    " << literal(f->labels->text(k.key)) << ",\n";
        }
        o << "};\n";
        // In the order of kFieldKeys (the reference language's keys: validated to be the same).
        o << "constexpr const char *kFields_" << lang << "[" << ref.fields->values.size()
          << "] = {\n";
        for (const auto &[key, v] : ref.fields->values) {
            o << "    " << literal(f->fields->text(key)) << ",\n";
        }
        o << "};\n";
    }

    auto per_lang = [&](const char *what) {
        std::string s = "{";
        for (std::size_t i = 0; i < files.size(); ++i) {
            s += (i ? ", " : "") + std::string(what) + files[i]->lang;
        }
        return s + "}";
    };
    o << "\nconstexpr const Entry *kTables[kLangCount] = " << per_lang("kTable_") << ";\n"
      << "constexpr const char *const *kClassNames[kLangCount] = " << per_lang("kClassNames_")
      << ";\n"
      << "constexpr const char *const *kLabels[kLangCount] = " << per_lang("kLabels_") << ";\n"
      << "constexpr const char *const *kFields[kLangCount] = " << per_lang("kFields_") << ";\n\n"
      << "// An out-of-range Lang (a bad cast somewhere) falls back to the reference language.\n"
         "std::size_t index(Lang lang) {\n"
         "    auto i = static_cast<std::size_t>(lang);\n"
         "    return i < kLangCount ? i : 0;\n"
         "}\n\n"
         "}  // namespace\n\n"
         "const Entry *lookup(unsigned code, Lang lang) {\n"
         "    if (code < 100 || code > 699) return nullptr;\n"
         "    return &kTables[index(lang)][code - 100];\n"
         "}\n\n"
         "const char *class_name(unsigned cls, Lang lang) {\n"
         "    if (cls < 1 || cls > "
      << kClassCount
      << ") return \"\";\n"
         "    return kClassNames[index(lang)][cls];\n"
         "}\n\n"
         "const char *label(Label which, Lang lang) {\n"
         "    auto i = static_cast<std::size_t>(which);\n"
         "    if (i >= static_cast<std::size_t>(Label::count_)) return \"\";\n"
         "    return kLabels[index(lang)][i];\n"
         "}\n\n"
         "unsigned label_args(Label which) {\n"
         "    auto i = static_cast<std::size_t>(which);\n"
         "    return i < static_cast<std::size_t>(Label::count_) ? kLabelArgs[i] : 0;\n"
         "}\n\n"
         "const char *field_label(const char *abbrev, Lang lang) {\n"
         "    if (abbrev == nullptr) return nullptr;\n"
         "    std::size_t lo = 0, hi = sizeof kFieldKeys / sizeof kFieldKeys[0];\n"
         "    while (lo < hi) {\n"
         "        const std::size_t mid = lo + (hi - lo) / 2;\n"
         "        const int c = std::strcmp(kFieldKeys[mid], abbrev);\n"
         "        if (c == 0) return kFields[index(lang)][mid];\n"
         "        if (c < 0) lo = mid + 1; else hi = mid;\n"
         "    }\n"
         "    return nullptr;\n"
         "}\n\n"
         "const char *const *field_keys(std::size_t *count) {\n"
         "    if (count != nullptr) *count = sizeof kFieldKeys / sizeof kFieldKeys[0];\n"
         "    return kFieldKeys;\n"
         "}\n\n"
         "const std::uint16_t *registered_codes(std::size_t *count) {\n"
         "    if (count != nullptr) *count = sizeof kCodes / sizeof kCodes[0];\n"
         "    return kCodes;\n"
         "}\n\n"
         "}  // namespace sipdiag::kb\n"
         "// clang-format on\n"
         "// NOLINTEND\n";
    return o.str();
}

std::string md_cell(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::string generate_markdown(const KbFile &ref) {
    std::ostringstream o;
    std::size_t pairs = 0;
    for (const auto &[code, s] : ref.codes) pairs += s.compares.size();
    o << "<!-- Generated by kbgen --markdown from " << base_language(ref.path)
      << ".kb; do not edit. -->\n"
      << "| Code | Reason | Class | Defined in | Compared with |\n"
      << "|---:|---|---|---|---|\n";
    for (unsigned code : kIanaCodes) {
        const Section &s = ref.codes.at(code);
        std::vector<unsigned> targets;
        for (const auto &c : s.compares) targets.push_back(c.first);
        std::sort(targets.begin(), targets.end());
        std::string vs;
        for (unsigned t : targets) vs += (vs.empty() ? "" : ", ") + std::to_string(t);
        o << "| " << code << " | " << md_cell(s.text("reason")) << " | " << code / 100 << "xx "
          << md_cell(ref.classes.at(code / 100).text("name")) << " | " << md_cell(s.text("rfc"))
          << " | " << (vs.empty() ? "–" : vs) << " |\n";
    }
    o << "\n"
      << kIanaCodes.size() << " registered codes, " << pairs / 2
      << " compared pairs (each explained from both sides).\n";
    return o.str();
}

bool write_file(const std::string &path, const std::string &content) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        out << content;
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int usage() {
    std::cerr << "usage: kbgen OUT.cpp en.kb fr.kb      (validate and generate the tables)\n"
                 "       kbgen --check en.kb fr.kb      (validate only)\n"
                 "       kbgen --markdown OUT.md en.kb  (Markdown table of the covered codes)\n";
    return 2;
}

// Loads and validates `paths`; every language of kLangs must be there exactly once.
bool load_all(const std::vector<std::string> &paths, bool all_languages, std::vector<KbFile> &files,
              Diag &diag) {
    files.resize(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (!load(paths[i], files[i], diag)) return false;
        for (std::size_t j = 0; j < i; ++j) {
            if (files[j].lang == files[i].lang) {
                diag.error(paths[i], 0, "language given twice (also " + paths[j] + ")");
                return false;
            }
        }
    }
    std::stable_sort(files.begin(), files.end(), [](const KbFile &a, const KbFile &b) {
        auto rank = [](const std::string &l) {
            return std::find_if(kLangs.begin(), kLangs.end(),
                                [&](const char *k) { return l == k; }) -
                   kLangs.begin();
        };
        return rank(a.lang) < rank(b.lang);
    });
    if (all_languages) {
        bool complete = true;
        for (const char *l : kLangs) {
            if (std::none_of(files.begin(), files.end(),
                             [&](const KbFile &f) { return f.lang == l; })) {
                diag.error("kbgen", 0, std::string("no ") + l + ".kb given");
                complete = false;
            }
        }
        if (!complete) return false;
    } else if (files.empty() || !files[0].reference) {
        diag.error("kbgen", 0, std::string(kLangs[0]) + ".kb is required");
        return false;
    }
    // Syntax errors do not stop here: the checks below then report what the rejected lines
    // left missing, so one run shows every problem.
    for (const KbFile &f : files) validate_file(f, diag);
    for (std::size_t i = 1; i < files.size(); ++i) validate_against(files[0], files[i], diag);
    return !diag.failed();
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 2) return usage();
    Diag diag;
    std::vector<KbFile> files;

    if (args[0] == "--markdown") {
        if (args.size() != 3) return usage();
        if (!load_all({args[2]}, false, files, diag)) return diag.report();
        if (!write_file(args[1], generate_markdown(files[0]))) {
            std::cerr << args[1] << ": error: cannot write file\n";
            return 1;
        }
        return 0;
    }
    if (args[0] == "--check") {
        std::vector<std::string> paths(args.begin() + 1, args.end());
        load_all(paths, true, files, diag);
        return diag.report();
    }
    if (args[0].size() > 1 && args[0][0] == '-') return usage();
    std::vector<std::string> paths(args.begin() + 1, args.end());
    if (!load_all(paths, true, files, diag)) return diag.report();
    std::vector<const KbFile *> ordered;
    for (const KbFile &f : files) ordered.push_back(&f);
    if (!write_file(args[0], generate_cpp(ordered))) {
        std::cerr << args[0] << ": error: cannot write file\n";
        return 1;
    }
    return 0;
}
