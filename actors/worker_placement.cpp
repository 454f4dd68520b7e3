#include "actors/worker_placement.hpp"

namespace agenttheo {

std::optional<std::size_t> choose_worker(const std::vector<worker_load>& workers,
                                         std::size_t last) {
  std::optional<std::size_t> best;
  auto n = workers.size();
  // Scanning from the one after `last` makes the first of equals the next
  // in turn.
  for (std::size_t step = 1; step <= n; ++step) {
    auto i = (last + step) % n;
    const auto& w = workers[i];
    auto full = w.max_sessions != 0 && w.live_sessions >= w.max_sessions;
    if (!w.up || full)
      continue;
    if (!best || w.live_sessions < workers[*best].live_sessions)
      best = i;
  }
  return best;
}

} // namespace agenttheo
