#pragma once

#include <chrono>
#include <memory>

#include "metrics/actor_stats.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

/// What an LLM call counts: itself, its tokens, its time to the first one,
/// and how it ended, in its own stats and the process totals.
class llm_call_meter {
public:
  void start(std::shared_ptr<actor_stats> stats) {
    stats_ = std::move(stats);
    started_ = std::chrono::steady_clock::now();
    stats_->set_state("waiting");
    count(counter::llm_calls);
  }

  void token() const {
    stats_->tokens.fetch_add(1, std::memory_order_relaxed);
    count(counter::llm_tokens);
    if (stats_->first_token_us.load(std::memory_order_relaxed) >= 0)
      return;
    auto elapsed = std::chrono::steady_clock::now() - started_;
    process_metrics().first_token.observe(elapsed);
    stats_->first_token_us.store(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(),
      std::memory_order_relaxed);
    stats_->set_state("streaming");
  }

  void finished(bool ok) {
    stats_->set_state(ok ? "done" : "failed");
    if (!ok)
      count(counter::llm_errors);
  }

  actor_stats* stats() const {
    return stats_.get();
  }

private:
  std::shared_ptr<actor_stats> stats_ = std::make_shared<actor_stats>();
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace agenttheo
