#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "metrics/actor_stats.hpp"
#include "metrics/latency_histogram.hpp"

namespace agenttheo {

/// One live actor as the registry knows it.
struct actor_record {
  std::uint64_t id = 0;
  std::string kind;
  std::string name;
  std::string parent;
  std::uint64_t owner = 0;
  std::int64_t started_ms = 0;
  std::shared_ptr<actor_stats> stats;
};

/// The process totals at one moment (plain copies of runtime_metrics).
struct totals_sample {
  std::int64_t at_ms = 0;
  std::uint64_t sessions_created = 0;
  std::uint64_t connections_opened_sse = 0;
  std::uint64_t connections_opened_ws = 0;
  std::uint64_t events_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t slow_consumer_drops = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t resumes = 0;
  std::uint64_t gaps = 0;
  std::uint64_t llm_calls = 0;
  std::uint64_t llm_tokens = 0;
  std::uint64_t llm_errors = 0;
  std::uint64_t tools_ok = 0;
  std::uint64_t tools_failed = 0;
  std::uint64_t tools_timed_out = 0;
  std::uint64_t tools_cancelled = 0;
  std::uint64_t admin_actions = 0;
  latency_histogram::snapshot delivery;
  latency_histogram::snapshot first_token;
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
