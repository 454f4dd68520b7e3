#pragma once

// The limits a run's spending is held to: tokens and dollars (of every
// model call together) and time, from the request under the server's
// ceilings, and what the session's runs may use together. The session
// asks `passed` before each model call, as tokens stream, and after each
// call; the first limit passed ends the run with `budget_exceeded`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace agenttheo {

struct budget_limits {
  /// 0: no limit.
  std::uint64_t max_tokens = 0;
  double max_cost_usd = 0;
  std::chrono::milliseconds max_duration{0};
};

/// The tighter of the request's limits and the server's ceilings, limit by
/// limit (0 on one side: the other's).
budget_limits tighter(const budget_limits& asked, const budget_limits& ceiling);

/// What was spent, or would be with the call under way.
struct budget_spend {
  std::uint64_t tokens = 0;
  double cost_usd = 0;
};

/// Whether `spent` is what was spent, or what would be with the model
/// call about to start.
enum class budget_moment { spent, before_call };

/// The limit `spent` passes, in words naming it (`max_tokens: the run
/// used 1,204 tokens; the limit is 1,000`), if any. `whose`: "run" (the
/// request's names) or "session" (SESSION_MAX_*).
std::optional<std::string> passed(const budget_limits& limits, const budget_spend& spent,
                                  const char* whose,
                                  budget_moment moment = budget_moment::spent);

/// `max_duration: the run took longer than 90 s`.
std::string duration_passed(std::chrono::milliseconds limit);

} // namespace agenttheo
