// SPDX-License-Identifier: GPL-2.0-or-later
// sipdiag.summary: a one-line diagnosis of one response, built from the values of this capture
// and the verdict, in English or French. Each rule writes its own part (Rule::summarize); this
// writer keeps the wording, the punctuation of each language and the bounds in one place.
//
// The text may contain packet data (URIs, entity tags): it is only ever shown as a field value,
// never used as a format string.
#pragma once

#include "core/findings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipdiag {

enum class Language : std::uint8_t { en, fr };

class SummaryWriter {
  public:
    SummaryWriter(std::string &out, Language lang) : out_(out), lang_(lang) {}
    Language lang() const { return lang_; }
    const char *tr(const char *en, const char *fr) const { return lang_ == Language::fr ? fr : en; }

    SummaryWriter &text(std::string_view s);
    SummaryWriter &text(const char *en, const char *fr) { return text(tr(en, fr)); }
    SummaryWriter &number(std::uint64_t n);
    SummaryWriter &seconds(std::uint32_t s);                         // "90 s"
    SummaryWriter &q(std::uint16_t milli);                           // "0.5", "1"
    SummaryWriter &value(std::string_view v, std::size_t max = 80);  // packet text, bounded
    SummaryWriter &frame(std::uint32_t f);                           // "(frame 28)", "(trame 28)"
    SummaryWriter &colon();                                          // ": " (French: " : ")
    SummaryWriter &next();  // "; " (French: " ; ") between clauses
    // ": <verdict word>", then " (frame N)" of the follow-up when there is one. `ok_en`/`ok_fr`
    // name a followed-ok verdict ("fixed" by default; "recovered" for a 412).
    // "; no retry" when the verdict is known without one ("; no retry seen yet" while pending),
    // nothing when the request is missing (the verdict says so). The words name the retry of the
    // rule ("fresh PUBLISH"; in French the whole phrase, for its agreement).
    SummaryWriter &no_retry(const Verdict &v, const char *what_en = "retry",
                            const char *none_fr = "pas de relance",
                            const char *none_yet_fr = "aucune relance vue pour l'instant");
    // "; retry after N s" when the response carried Retry-After.
    SummaryWriter &retry_after(const std::optional<std::uint32_t> &seconds);
    SummaryWriter &verdict(const Verdict &v, std::uint32_t followup_frame,
                           const char *ok_en = "fixed", const char *ok_fr = "corrigé");

  private:
    std::string &out_;
    Language lang_;
};

}  // namespace sipdiag
