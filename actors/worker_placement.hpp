#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace agenttheo {

/// What the gateway knows of one worker when it places a new session.
struct worker_load {
  /// Reachable: connected, and answering its status polls.
  bool up = false;
  /// Live sessions at its last status, plus those placed on it since.
  std::uint64_t live_sessions = 0;
  /// Its MAX_SESSIONS (0: not known yet, taken as no limit).
  std::uint64_t max_sessions = 0;
};

/// The worker a new session goes to: of the reachable workers with room for
/// one more, the one with the fewest live sessions. Ties go to the first
/// after `last` (the previous choice), so equal workers take turns.
/// nullopt: no worker can take it.
std::optional<std::size_t> choose_worker(const std::vector<worker_load>& workers,
                                         std::size_t last);

} // namespace agenttheo
