// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/summary.h"

#include "core/sipvalue.h"

namespace sipdiag {

SummaryWriter &SummaryWriter::text(std::string_view s) {
    out_.append(s.data(), s.size());
    return *this;
}

SummaryWriter &SummaryWriter::number(std::uint64_t n) {
    out_ += std::to_string(n);
    return *this;
}

SummaryWriter &SummaryWriter::seconds(std::uint32_t s) {
    return number(s).text(" s");
}

SummaryWriter &SummaryWriter::q(std::uint16_t milli) {
    if (milli >= 1000) return text("1");
    char buf[8] = {'0', lang_ == Language::fr ? ',' : '.', 0, 0, 0, 0, 0, 0};
    buf[2] = static_cast<char>('0' + milli / 100);
    buf[3] = static_cast<char>('0' + milli / 10 % 10);
    buf[4] = static_cast<char>('0' + milli % 10);
    std::size_t n = 5;
    while (n > 3 && buf[n - 1] == '0') --n;
    if (milli == 0) n = 1;
    return text(std::string_view(buf, n));
}

SummaryWriter &SummaryWriter::value(std::string_view v, std::size_t max) {
    bool cut = false;
    out_ += bounded_copy(v, max, &cut);
    if (cut) out_ += "...";
    return *this;
}

SummaryWriter &SummaryWriter::frame(std::uint32_t f) {
    return text(tr("(frame ", "(trame ")).number(f).text(")");
}

SummaryWriter &SummaryWriter::colon() {
    return text(tr(": ", " : "));
}

SummaryWriter &SummaryWriter::next() {
    return text(tr("; ", " ; "));
}

SummaryWriter &SummaryWriter::no_retry(const Verdict &v, const char *what_en, const char *none_fr,
                                       const char *none_yet_fr) {
    if (v.outcome == Outcome::request_missing) return *this;
    const bool yet = v.outcome == Outcome::pending;
    next();
    if (lang_ == Language::fr) return text(yet ? none_yet_fr : none_fr);
    text("no ").text(what_en);
    return yet ? text(" seen yet") : *this;
}

SummaryWriter &SummaryWriter::retry_after(const std::optional<std::uint32_t> &s) {
    return s ? next().text("retry after ", "réessayer dans ").seconds(*s) : *this;
}

SummaryWriter &SummaryWriter::verdict(const Verdict &v, std::uint32_t followup_frame,
                                      const char *ok_en, const char *ok_fr) {
    const char *word = nullptr;
    switch (v.outcome) {
        case Outcome::followed_ok:
            word = tr(ok_en, ok_fr);
            break;
        case Outcome::wrong_fix:
            word = tr("wrong fix", "mauvaise correction");
            break;
        case Outcome::not_followed:
            word = tr("not followed", "non suivi");
            break;
        case Outcome::pending:
            word = followup_frame != 0 ? tr("pending, the answer to the retry is not seen yet",
                                            "en attente de la réponse à la relance")
                                       : tr("pending, needs the whole capture (-2)",
                                            "en attente, il faut toute la capture (-2)");
            break;
        case Outcome::request_missing:
            word = tr("request not in the capture", "requête absente de la capture");
            break;
        case Outcome::not_applicable:
            return *this;
    }
    colon().text(word);
    if (followup_frame != 0 && v.outcome != Outcome::pending) text(" ").frame(followup_frame);
    return *this;
}

}  // namespace sipdiag
