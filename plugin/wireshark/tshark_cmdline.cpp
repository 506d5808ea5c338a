// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/tshark_cmdline.h"

#include <cstdio>

namespace sipdiag::ws {

namespace {

// What an option does to the question "are only the -e fields printed?".
enum class Effect {
    none,    // changes nothing printed (a file to read, a filter, a preference, a name resolution)
    output,  // -T: the output format
    field,   // -e: one field printed
    pref,    // -o: a preference (custom columns are one)
    other,   // prints or reads the tree another way (-V, -O, -P, -z, -X, -w ...): the whole tree
};

struct ShortOpt {
    char letter;
    bool arg;
    Effect effect;
};

// tshark's short options (4.0 to 4.6: OPTSTRING, OPTSTRING_CAPTURE_COMMON,
// OPTSTRING_DISSECT_COMMON), with whether each takes an argument.
constexpr ShortOpt kShort[] = {
    {'2', false, Effect::none},  {'a', true, Effect::none},  {'A', true, Effect::none},
    {'b', true, Effect::none},   {'B', true, Effect::none},  {'c', true, Effect::none},
    {'C', true, Effect::none},   {'d', true, Effect::none},  {'D', false, Effect::other},
    {'e', true, Effect::field},  {'E', true, Effect::none},  {'f', true, Effect::none},
    {'F', true, Effect::other},  {'g', false, Effect::none}, {'G', true, Effect::other},
    {'h', false, Effect::other}, {'H', true, Effect::none},  {'i', true, Effect::none},
    {'I', false, Effect::none},  {'j', true, Effect::none},  {'J', true, Effect::none},
    {'K', true, Effect::none},   {'l', false, Effect::none}, {'L', false, Effect::other},
    {'M', true, Effect::none},   {'n', false, Effect::none}, {'N', true, Effect::none},
    {'o', true, Effect::pref},   {'O', true, Effect::other}, {'p', false, Effect::none},
    {'P', false, Effect::other}, {'q', false, Effect::none}, {'Q', false, Effect::none},
    {'r', true, Effect::none},   {'R', true, Effect::none},  {'s', true, Effect::none},
    {'S', true, Effect::none},   {'t', true, Effect::none},  {'T', true, Effect::output},
    {'u', true, Effect::none},   {'U', true, Effect::other}, {'v', false, Effect::other},
    {'V', false, Effect::other}, {'w', true, Effect::other}, {'W', true, Effect::other},
    {'x', false, Effect::other}, {'X', true, Effect::other}, {'y', true, Effect::none},
    {'Y', true, Effect::none},   {'z', true, Effect::other},
};

struct LongOpt {
    const char *name;
    bool arg;
    Effect effect;
};

// Long options, exact names only (getopt_long also takes unambiguous abbreviations: those fall
// through to "unknown", which keeps the tree).
constexpr LongOpt kLong[] = {
    {"disable-protocol", true, Effect::none},
    {"enable-protocol", true, Effect::none},
    {"enable-heuristic", true, Effect::none},
    {"disable-heuristic", true, Effect::none},
    {"only-protocols", true, Effect::none},
    {"disable-all-protocols", false, Effect::none},
    {"read-filter", true, Effect::none},
    {"display-filter", true, Effect::none},
    {"interface", true, Effect::none},
    {"autostop", true, Effect::none},
    {"ring-buffer", true, Effect::none},
    {"buffer-size", true, Effect::none},
    {"snapshot-length", true, Effect::none},
    {"linktype", true, Effect::none},
    {"no-promiscuous-mode", false, Effect::none},
    {"monitor-mode", false, Effect::none},
    {"update-interval", true, Effect::none},
    {"temp-dir", true, Effect::none},
    {"capture-comment", true, Effect::other},
    {"log-level", true, Effect::none},
    {"log-domain", true, Effect::none},
    {"log-domains", true, Effect::none},
    {"log-file", true, Effect::none},
    {"log-fatal", true, Effect::none},
    {"log-fatal-domain", true, Effect::none},
    {"log-fatal-domains", true, Effect::none},
    {"log-debug", true, Effect::none},
    {"log-noisy", true, Effect::none},
    {"print", false, Effect::other},
    {"color", false, Effect::other},
    {"hexdump", true, Effect::other},
    {"export-objects", true, Effect::other},
    {"export-tls-session-keys", true, Effect::other},
    {"elastic-mapping-filter", true, Effect::other},
    {"no-duplicate-keys", false, Effect::other},
    {"help", false, Effect::other},
    {"version", false, Effect::other},
};

const ShortOpt *find_short(char c) {
    for (const ShortOpt &o : kShort)
        if (o.letter == c) return &o;
    return nullptr;
}

const LongOpt *find_long(std::string_view name) {
    for (const LongOpt &o : kLong)
        if (name == o.name) return &o;
    return nullptr;
}

// Walks tshark's options as its getopt_long reads them, giving each (its effect, its argument and
// its letter or name) to `take`. False when the command line is not understood (an unknown option,
// a long option's abbreviation, a missing argument): the callers then keep the whole work.
template <typename Take>
bool walk(const std::vector<std::string_view> &args, Take take) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--") break;
        if (a.size() < 2 || a[0] != '-')
            break;  // "+" in OPTSTRING: options end at the first operand
        if (a[1] == '-') {
            const std::size_t eq = a.find('=');
            const std::string_view name = a.substr(2, eq == std::string_view::npos ? eq : eq - 2);
            const LongOpt *o = find_long(name);
            if (o == nullptr) return false;
            std::string_view value;
            if (o->arg) {
                if (eq != std::string_view::npos) {
                    value = a.substr(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args[++i];
                } else {
                    return false;
                }
            } else if (eq != std::string_view::npos) {
                return false;  // an argument to an option that takes none: tshark refuses it
            }
            take(o->effect, value, '\0', name);
            continue;
        }
        // A cluster of short options ("-nr file", "-Tfields").
        for (std::size_t k = 1; k < a.size(); ++k) {
            const ShortOpt *o = find_short(a[k]);
            if (o == nullptr) return false;
            if (!o->arg) {
                take(o->effect, std::string_view{}, o->letter, std::string_view{});
                continue;
            }
            std::string_view value;
            if (k + 1 < a.size()) {
                value = a.substr(k + 1);
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                return false;
            }
            take(o->effect, value, o->letter, std::string_view{});
            break;
        }
    }
    return true;
}

}  // namespace

bool prints_fields_only(const std::vector<std::string_view> &args,
                        std::vector<std::string_view> *fields) {
    bool whole = false;
    bool only_fields = false;  // the last -T is `fields`
    const bool understood =
        walk(args, [&](Effect e, std::string_view value, char, std::string_view) {
            switch (e) {
                case Effect::none:
                    break;
                case Effect::output:
                    only_fields = value == "fields";
                    break;
                case Effect::field:
                    // Printed as the item's label: the protocol items sipdiag and Expert Info.
                    if (value == "sipdiag" || value == "_ws.expert") whole = true;
                    if (fields != nullptr) fields->push_back(value);
                    break;
                case Effect::pref:
                    // Columns are printed from labels too: a column preference keeps the tree.
                    if (value.rfind("gui.column", 0) == 0) whole = true;
                    break;
                case Effect::other:
                    whole = true;
                    break;
            }
        });
    return understood && !whole && only_fields;
}

bool first_pass_unseen(const std::vector<std::string_view> &args) {
    bool two_pass = false;
    bool looks = false;  // something reads the first pass's tree
    const bool understood =
        walk(args, [&](Effect, std::string_view, char letter, std::string_view name) {
            if (letter == '2') two_pass = true;
            // The read filter decides on the first pass which frames are kept; colouring
            // (--color) is not needed there, but what it reads is not worth a guess.
            if (letter == 'R' || name == "read-filter" || name == "color") looks = true;
        });
    return understood && two_pass && !looks;
}

std::vector<std::string> own_arguments() {
    std::vector<std::string> out;
    std::FILE *f = std::fopen("/proc/self/cmdline", "rb");
    if (f == nullptr) return out;
    std::string all;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
    std::fclose(f);
    std::size_t start = 0;
    bool first = true;
    while (start < all.size()) {
        std::size_t end = all.find('\0', start);
        if (end == std::string::npos) end = all.size();
        if (!first) out.emplace_back(all, start, end - start);
        first = false;
        start = end + 1;
    }
    return out;
}

}  // namespace sipdiag::ws
