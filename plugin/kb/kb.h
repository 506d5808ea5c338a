// SPDX-License-Identifier: GPL-2.0-or-later
// sipdiag knowledge base: explanations of SIP response codes, per language.
//
// The texts live in one editable data file per language (plugin/kb/data/<lang>.kb). At build time
// the generator (plugin/kb/kbgen.cpp) validates them and turns them into constant tables; nothing
// in this header depends on Wireshark.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipdiag::kb {

enum class Lang : std::uint8_t { en = 0, fr = 1 };
constexpr std::size_t kLangCount = 2;

// One "compared with" hint: how this code differs from `code`, and what to do instead.
struct Compare {
    std::uint16_t code;
    const char *hint;
};

struct Entry {
    std::uint16_t code;   // e.g. 302; for a class fallback the code that was asked for
    const char *reason;   // standard reason phrase (English, protocol text), "" for fallbacks
    const char *meaning;  // what the response means
    const char *when;     // when you typically see it
    const char *fix;      // how to fix / what to do
    const char *rfc;      // defining RFC and section, e.g. "RFC 3261, 21.3.3"
    const Compare *compares;
    std::size_t compare_count;
    bool registered;  // false: not in the IANA registry, texts come from the class (see note)
};

// Tree labels that follow the language preference.
enum class Label : std::uint8_t {
    meaning,
    when,
    fix,
    rfc,
    compared_with,
    request,
    no_request,
    values,
    unregistered_note,  // "Not in the IANA registry; explained by its class."
    count_
};

// Returns the entry for `code` in `lang`. Never null for 100..699: codes that are not registered
// get their class's texts with registered == false. Null outside 100..699.
const Entry *lookup(unsigned code, Lang lang);

// Class name for 1..6 ("Provisional", "Successful", "Redirection", "Client Failure",
// "Server Failure", "Global Failure" in English); "" otherwise.
const char *class_name(unsigned cls, Lang lang);

const char *label(Label which, Lang lang);

// All registered codes in ascending order (for tests and generated documentation).
const std::uint16_t *registered_codes(std::size_t *count);

}  // namespace sipdiag::kb
