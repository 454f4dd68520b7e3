#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "metrics/latency_histogram.hpp"

namespace agenttheo {

/// Totals of the whole process since it started, counted where things
/// happen (relaxed atomics) and read by the registry for stats, rates and
/// `/metrics`. Gauges (what is live now) come from the registry's actors.
struct runtime_metrics {
  using counter = std::atomic<std::uint64_t>;

  counter sessions_created{0};
  counter connections_opened_sse{0};
  counter connections_opened_ws{0};
  counter events_sent{0};
  counter bytes_sent{0};
  counter slow_consumer_drops{0};
  counter frames_dropped{0};
  counter resumes{0};
  counter gaps{0};
  counter llm_calls{0};
  counter llm_tokens{0};
  counter llm_errors{0};
  counter tools_ok{0};
  counter tools_failed{0};
  counter tools_timed_out{0};
  counter tools_cancelled{0};
  counter admin_actions{0};

  /// From the session stamping an event to its connection actor handing it
  /// to the socket.
  latency_histogram delivery;
  /// From an LLM call's start to its first token.
  latency_histogram first_token;

  static void add(counter& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

/// The process's one set of totals.
runtime_metrics& process_metrics();

/// Records an event handed to a socket `stamped` ago.
inline void observe_delivery(std::chrono::steady_clock::time_point stamped) {
  process_metrics().delivery.observe(std::chrono::steady_clock::now() - stamped);
}


} // namespace agenttheo
