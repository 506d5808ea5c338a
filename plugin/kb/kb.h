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

// Tree texts that follow the language preference ([labels] in the .kb files): subtree titles,
// remarks appended to an item, and the patterns of a label. {1}, {2}... in a text are filled by
// format(); kbgen checks that every language uses exactly the placeholders of the English text.
enum class Label : std::uint8_t {
    compared_with,
    request,
    no_request,
    values,
    unregistered_note,  // "Not in the IANA registry; explained by its class."
    field,              // "{1}: {2}": caption, value
    field_truncated,    // "{1} [truncated]: {2}": the same when the value had to be cut
    seconds,            // "{1} seconds"
    request_item,       // "{1} request": method
    retry_after,        // "retry after the {1} in frame {2}": code, frame
    followup,           // "Follow-up" (title of the follow-up subtree, with the outcome)
    outcome_pending,
    outcome_followed_ok,
    outcome_wrong_fix,
    outcome_not_followed,
    outcome_request_missing,
    capture_ends,  // "(the capture ends {1} s after ..., inside the {2} s follow-up window)"
    call_hint,     // "In this call, {1} vs {2}": code, other code
    redirect,      // "Redirect: {1} contact(s)"
    publication,
    different_tag,
    session_timer,
    below_min_se,  // "(below Min-SE by {1} s)"
    registration_interval,
    below_min_expires,  // "(below Min-Expires by {1} s)"
    challenge,          // "Challenge ({1})": header name
    option_tags,
    accepted_content,
    warnings,
    event_package,
    glare,
    glare_rule,  // the retry rule after 491 (the value of sipdiag.glare.rule)
    security_agreement,
    count_
};

// Returns the entry for `code` in `lang`. Never null for 100..699: codes that are not registered
// get their class's texts with registered == false. Null outside 100..699.
const Entry *lookup(unsigned code, Lang lang);

// Class name for 1..6 ("Provisional", "Successful", "Redirection", "Client Failure",
// "Server Failure", "Global Failure" in English); "" otherwise.
const char *class_name(unsigned cls, Lang lang);

const char *label(Label which, Lang lang);
// Number of placeholders ({1}..{N}) of a label, the same in every language.
unsigned label_args(Label which);

// Caption of the field whose filter name is `abbrev` ("sipdiag.code"; "sipdiag" for the
// protocol item) in `lang` ([fields] in the .kb files); null when the knowledge base has none.
// The English captions are the names the fields are registered with.
const char *field_label(const char *abbrev, Lang lang);
// All filter names that have a caption, in ascending order (for tests).
const char *const *field_keys(std::size_t *count);

// Copies `tmpl` into out (capacity cap > 0, always NUL-terminated), replacing {1}..{9} by
// args[0..8]; a placeholder without an argument is left out. Never cuts a UTF-8 sequence: when
// the text does not fit, it stops before the first character that would not. Returns the
// length written; *cut (if given) tells whether something was left out for lack of room.
std::size_t format(char *out, std::size_t cap, const char *tmpl, const char *const *args,
                   std::size_t nargs, bool *cut = nullptr);
template <std::size_t N>
std::size_t format(char *out, std::size_t cap, const char *tmpl, const char *const (&args)[N]) {
    return format(out, cap, tmpl, args, N);
}

// A tree label "caption: value" in `lang` (Label::field) that fits in cap bytes with its NUL.
// When it does not, the value is cut (between UTF-8 characters) and the label says so right
// after the caption (Label::field_truncated: "How to fix [truncated]: ..."), the way
// Wireshark marks its own cut labels. Control characters and invalid UTF-8 in the value are
// shown as \xNN escapes. Returns true when the value was cut.
bool tree_label(char *out, std::size_t cap, const char *caption, const char *value, Lang lang);

// All registered codes in ascending order (for tests and generated documentation).
const std::uint16_t *registered_codes(std::size_t *count);

}  // namespace sipdiag::kb
