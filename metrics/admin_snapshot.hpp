#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "metrics/actor_stats.hpp"
#include "metrics/latency_histogram.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

/// One live actor as the registry knows it.
struct actor_record {
  /// Its actor id.
  std::uint64_t id = 0;
  /// session, llm_call, tool_call, page, browser, session_manager,
  /// sse_connection, ws_connection, ws_subscription, admin_stream
  std::string kind;
  /// What it is about: a session's id, a tool's name, a model, a transport.
  std::string name;
  /// The session it belongs to (empty for none).
  std::string parent;
  /// The actor it belongs to (a WebSocket subscription's socket), or 0.
  std::uint64_t owner = 0;
  std::int64_t started_ms = 0;
  std::shared_ptr<actor_stats> stats;
  /// What a person knows it by (a session's title), when it has one.
  std::string title;
};

/// The process totals at one moment (plain copies of runtime_metrics).
struct totals_sample {
  std::int64_t at_ms = 0;
  std::array<std::uint64_t, counter_count> counts{};
  latency_histogram::snapshot delivery;
  latency_histogram::snapshot first_token;
  latency_histogram::snapshot first_token_added;

  std::uint64_t operator[](counter c) const {
    return counts[static_cast<std::size_t>(c)];
  }
};

/// Reads the process's totals now.
totals_sample sample_totals(std::int64_t now_ms);

/// What is live now, counted from the registry's actors.
struct live_gauges {
  std::size_t actors = 0;
  std::size_t sessions = 0;
  std::size_t sessions_running = 0;
  std::size_t sse_connections = 0;
  std::size_t ws_connections = 0;
  std::size_t llm_calls = 0;
  std::size_t tool_calls = 0;
  std::size_t browser_contexts = 0;
  /// Contexts made ahead, no session's yet.
  std::size_t browser_spares = 0;
  std::uint64_t queued_bytes = 0;
};

live_gauges count_live(const std::vector<actor_record>& actors);

/// A console-worthy error, newest last.
struct recent_error {
  std::int64_t at_ms = 0;
  std::string session;
  std::string message_id;
  std::string code;
  std::string message;
};

/// Everything the admin views are made of.
struct admin_snapshot {
  std::int64_t now_ms = 0;
  std::int64_t started_ms = 0;
  std::vector<actor_record> actors;
  live_gauges live;
  /// One per second, oldest first, the newest being now; at most a minute.
  std::deque<totals_sample> history;
  std::deque<recent_error> errors;
};

/// `GET /api/admin/actors`: sessions with their children, then sockets and
/// the runtime's own actors.
std::string actors_json(const admin_snapshot& snap);

/// `GET /api/admin/stats`: gauges, totals, per-second rates over the last
/// second and the minute's history, latency percentiles over the last
/// minute, the slowest connections, recent errors.
std::string stats_json(const admin_snapshot& snap);

/// `GET /metrics`: Prometheus text exposition format 0.0.4.
std::string prometheus_text(const admin_snapshot& snap);

} // namespace agenttheo
