// SPDX-License-Identifier: GPL-2.0-or-later
// The rules, in the order they are asked whether they recognise a response. Adding a rule: one
// row in `Rules` below (and its RuleId).
#pragma once

#include "core/rules/challenge.h"
#include "core/rules/conditional_publish.h"
#include "core/rules/evidence.h"
#include "core/rules/interval.h"
#include "core/rules/redirect.h"
#include "core/rules/rule.h"
#include "core/rules/session_timer.h"

#include <array>
#include <memory>
#include <tuple>

namespace sipdiag {

template <typename... Rs>
class RuleList {
  public:
    RuleList(Store &store, const Config &config)
        : rules_(std::make_unique<Rs>(store, config)...),
          order_{static_cast<Rule *>(std::get<std::unique_ptr<Rs>>(rules_).get())...} {
        for (Rule *r : order_) by_id_[static_cast<std::size_t>(r->id())] = r;
    }
    // The rule of a response: the first one that recognises it, or null.
    Rule *for_response(const MessageView &resp) const {
        for (Rule *r : order_) {
            if (r->recognises(resp)) return r;
        }
        return nullptr;
    }
    Rule *by_id(RuleId id) const { return by_id_[static_cast<std::size_t>(id)]; }
    template <typename R>
    const R &get() const {
        return *std::get<std::unique_ptr<R>>(rules_);
    }
    const std::array<Rule *, sizeof...(Rs)> &all() const { return order_; }

  private:
    std::tuple<std::unique_ptr<Rs>...> rules_;
    std::array<Rule *, sizeof...(Rs)> order_;
    std::array<Rule *, static_cast<std::size_t>(RuleId::count_)> by_id_{};
};

// The registry. Evidence comes last: it also takes any other response carrying Retry-After.
using Rules = RuleList<RedirectRule, ConditionalPublishRule, SessionTimerRule, ChallengeRule,
                       IntervalRule, EvidenceRule>;

}  // namespace sipdiag
