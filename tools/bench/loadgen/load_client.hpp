#pragma once

#include <cstdint>
#include <string>

#include "latency_histogram.hpp"

namespace loadgen {

enum class request_kind { sse, websocket, post };

struct client_options {
  std::string host = "127.0.0.1";
  int port = 8000;
  request_kind kind = request_kind::sse;
  /// Request path; `{i}` becomes the connection's index.
  std::string path = "/stream";
  /// The first WebSocket message (`{i}` substituted), or the POST body.
  std::string body;
  unsigned first = 0; // indices [first, first + count)
  unsigned count = 1;
  /// Client sockets bind to 127.0.0.2 .. 127.0.0.(1 + n) in turn, so more
  /// connections fit than one source address has ephemeral ports.
  unsigned source_addresses = 16;
  double connect_rate = 5000; // new connections per second
  double duration_s = 10;     // after all connected, at most this long
  double warmup_ms = 0;       // tokens stamped earlier than this after
                              // "all connected" are delivered, not timed
  std::int64_t expect = 0;    // tokens each stream must end with (0: any)
  double slow_fraction = 0;   // these stop reading after the response head
  double churn_rate = 0;      // > 0: open/close cycles per second instead
  double churn_hold_ms = 0;   // how long a churned stream stays open
  std::string trace_path;     // non-empty: each timed token, a line there
                              // (token_trace.hpp)
};

struct client_result {
  std::uint64_t opened = 0;
  std::uint64_t connected = 0;   // response head with 200 or 101
  std::uint64_t failed = 0;      // refused, reset, or another status
  std::uint64_t deliveries = 0;  // stamped tokens received
  std::uint64_t timed = 0;       // of which in the measured window
  std::uint64_t duplicates = 0;
  std::uint64_t gaps = 0;        // ordinals skipped, or missing at the end
  std::uint64_t ended = 0;       // streams the server ended
  std::uint64_t slow = 0;        // streams that stopped reading
  std::uint64_t slow_dropped = 0;// of which the server cut
  std::uint64_t churned = 0;     // open/close cycles completed
  std::uint64_t connect_first_ns = 0, connect_last_ns = 0;
  std::uint64_t timed_first_ns = 0, timed_last_ns = 0;
  latency_histogram latency;

  void merge(const client_result& other);
  std::string serialize() const;
  static client_result deserialize(const std::string& line);
};

std::uint64_t monotonic_ns();

/// Runs one process's share of the connections on one epoll loop.
/// `on_ready` is called once every connection has its response head
/// (or failed); the loop then runs until the streams end or time is up.
client_result run_clients(const client_options& options,
                          void (*on_ready)(void*), void* ready_arg);

} // namespace loadgen
