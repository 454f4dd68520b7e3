#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "metrics/latency_histogram.hpp"
#include "metrics/thread_stripe.hpp"

namespace agenttheo {

/// The process totals, each counted where it happens. Their names in the
/// admin views and `/metrics` are in one table (admin_views.cpp).
enum class counter : std::size_t {
  sessions_created,
  connections_opened_sse,
  connections_opened_ws,
  events_sent,
  bytes_sent,
  /// Events a socket took with an earlier round than their own: published
  /// while that round was being written (published_chain.hpp).
  events_ahead_of_round,
  slow_consumer_drops,
  frames_dropped,
  resumes,
  gaps,
  llm_calls,
  /// LLM transfers read without curl (plain_http_engine.hpp), and by curl.
  llm_transfers_plain,
  llm_transfers_curl,
  llm_tokens,
  llm_prompt_tokens,
  llm_completion_tokens,
  /// Billionths of a US dollar (a cheap call costs less than a millionth).
  llm_cost_nano_usd,
  llm_errors,
  tools_ok,
  tools_failed,
  tools_timed_out,
  tools_cancelled,
  runs_succeeded,
  runs_failed,
  runs_max_steps,
  runs_cancelled,
  admin_actions,
  interrupts_opened,
  interrupts_approved,
  interrupts_rejected,
  interrupts_edited,
  interrupts_answered,
  interrupts_timed_out,
  interrupts_cancelled,
  /// An I/O context's helper threads admitted and parked again
  /// (io_thread_gate.hpp, IO_THREADS_ON_DEMAND).
  io_helpers_joined,
  io_helpers_left,
  /// The I/O threads let go of their CPUs and pinned again
  /// (io_pin_policy.hpp, IO_THREAD_CPUS=auto).
  io_threads_unpinned,
  io_threads_pinned,
};

inline constexpr std::size_t counter_count
  = static_cast<std::size_t>(counter::io_threads_pinned) + 1;

/// Totals of the whole process since it started (relaxed atomics), read by
/// the registry for stats, rates and `/metrics`. Gauges (what is live now)
/// come from the registry's actors.
/// The counters, each adding thread on a stripe of its own and a reader
/// summing the stripes (thread_stripe.hpp): `events_sent` and `bytes_sent`
/// take an add per write on every I/O thread.
class counter_totals {
public:
  void add(counter c, std::uint64_t n) {
    stripes_[this_thread_stripe()]
      .counts[static_cast<std::size_t>(c)]
      .fetch_add(n, std::memory_order_relaxed);
  }

  /// The total of the counter at `index` (a `counter` as a number).
  std::uint64_t read(std::size_t index) const {
    std::uint64_t total = 0;
    for (const auto& part : stripes_)
      total += part.counts[index].load(std::memory_order_relaxed);
    return total;
  }

private:
  struct alignas(stripe_alignment) stripe {
    std::array<std::atomic<std::uint64_t>, counter_count> counts{};
  };
  std::array<stripe, stripe_count> stripes_{};
};

struct runtime_metrics {
  counter_totals counters;
  /// From the session stamping an event to its socket side taking it (from
  /// the session's round, or from the connection actor).
  latency_histogram delivery;
  /// From an LLM call's start to its first token.
  latency_histogram first_token;
  /// The server's own part of a run's time to its first token: from the
  /// run's request reaching this process to that token handed to the
  /// subscribers' side, less the model's own time to it (the provider from
  /// request to answer, as curl's thread saw it). A run's first model call
  /// only, and only for a run that started at once (not queued, not held).
  latency_histogram first_token_added;
};

/// The process's one set of totals.
runtime_metrics& process_metrics();

/// Adds `n` to the process total `c`.
inline void count(counter c, std::uint64_t n = 1) {
  process_metrics().counters.add(c, n);
}

/// Records an event handed to a socket `stamped` ago.
inline void observe_delivery(std::chrono::steady_clock::time_point stamped) {
  process_metrics().delivery.observe(std::chrono::steady_clock::now() - stamped);
}

/// The same for an event taken at `now` (read once for a batch of them).
inline void observe_delivery(std::chrono::steady_clock::time_point stamped,
                             std::chrono::steady_clock::time_point now) {
  process_metrics().delivery.observe(now - stamped);
}

} // namespace agenttheo
