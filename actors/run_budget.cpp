#include "actors/run_budget.hpp"

#include <cstdio>

namespace agenttheo {

namespace {

template <class T>
T tighter_of(T asked, T ceiling) {
  if (asked == T{} || (ceiling != T{} && ceiling < asked))
    return ceiling;
  return asked;
}

std::string grouped(std::uint64_t n) {
  auto digits = std::to_string(n);
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3)
    digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::string dollars(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.4f", usd);
  return text;
}

} // namespace

budget_limits tighter(const budget_limits& asked, const budget_limits& ceiling) {
  return {tighter_of(asked.max_tokens, ceiling.max_tokens),
          tighter_of(asked.max_cost_usd, ceiling.max_cost_usd),
          tighter_of(asked.max_duration, ceiling.max_duration)};
}

std::optional<std::string> passed(const budget_limits& limits, const budget_spend& spent,
                                  const char* whose, budget_moment moment) {
  // Asked at every streamed token: words only for a limit passed.
  auto tokens_over = limits.max_tokens > 0 && spent.tokens > limits.max_tokens;
  auto cost_over = limits.max_cost_usd > 0 && spent.cost_usd > limits.max_cost_usd;
  if (!tokens_over && !cost_over)
    return std::nullopt;
  std::string who = std::string{"the "} + whose;
  auto session = who == "the session";
  if (session)
    who += "'s runs";
  auto before = moment == budget_moment::before_call;
  if (tokens_over)
    return std::string{session ? "SESSION_MAX_TOKENS" : "max_tokens"} + ": " + who
           + (before ? " would use " : " used ") + grouped(spent.tokens)
           + " tokens" + (before ? " with the next model call" : "")
           + "; the limit is " + grouped(limits.max_tokens);
  return std::string{session ? "SESSION_MAX_COST_USD" : "max_cost_usd"} + ": " + who
         + (before ? " would cost " : " cost ") + dollars(spent.cost_usd)
         + (before ? " with the next model call" : "") + "; the limit is "
         + dollars(limits.max_cost_usd);
}

std::string duration_passed(std::chrono::milliseconds limit) {
  return "max_duration: the run took longer than " + grouped(limit.count()) + " ms";
}

} // namespace agenttheo
