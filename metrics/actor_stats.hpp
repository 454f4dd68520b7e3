#pragma once

#include <atomic>
#include <cstdint>

namespace agenttheo {

/// The live counters of one actor, written by the actor (or its socket side)
/// and read by the registry: relaxed atomics, no messages, so keeping them
/// costs a few nanoseconds per event. Fields a kind of actor does not have
/// stay zero.
struct actor_stats {
  /// Messages the actor handled.
  std::atomic<std::uint64_t> messages{0};
  /// What it is doing: a string literal ("idle", "running", "ok", ...).
  std::atomic<const char*> state{"starting"};

  // Connections: what went to the socket, what waits, what was dropped.
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> events_sent{0};
  std::atomic<std::uint64_t> queued_bytes{0};
  std::atomic<std::uint64_t> drops{0};

  // LLM calls: tokens streamed, time to the first one (-1: none yet).
  std::atomic<std::uint64_t> tokens{0};
  std::atomic<std::int64_t> first_token_us{-1};

  // Tool calls: how long it took once finished (-1: still running); the
  // outcome is the state.
  std::atomic<std::int64_t> duration_ms{-1};

  // The browser: contexts made ahead for new sessions (BROWSER_POOL).
  std::atomic<std::uint64_t> spares{0};

  void handled() {
    messages.fetch_add(1, std::memory_order_relaxed);
  }

  void set_state(const char* literal) {
    state.store(literal, std::memory_order_relaxed);
  }
};

} // namespace agenttheo
