#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/settings.hpp"
#include "messages/api_error.hpp"
#include "util/token_bucket.hpp"

namespace agenttheo {

/// What one client holds and has done lately, for the admin console.
struct client_usage_row {
  std::string client;
  std::uint64_t sessions = 0;
  /// Runs started in about the last minute (the bucket's use).
  std::uint64_t recent_runs = 0;
  /// Sessions and runs refused since the client was first seen.
  std::uint64_t refused = 0;
};

/// The session manager's per-client book: sessions each client holds
/// (CLIENT_MAX_SESSIONS) and runs it starts (CLIENT_RUNS_PER_MINUTE, a
/// token bucket per client). A client is an API token, else an address.
/// Bounded: a client is forgotten once it holds nothing and its bucket has
/// refilled. No CAF.
class client_quota {
public:
  using clock = token_bucket::clock;

  /// More clients than this in the book, and those holding nothing are
  /// swept out.
  static constexpr std::size_t sweep_above = 1024;

  explicit client_quota(client_limits limits) : limits_(limits) {
  }

  /// Whether `client` may hold one more session; counts a refusal.
  bool may_open_session(const std::string& client);

  void session_opened(const std::string& session, const std::string& client);
  void session_closed(const std::string& session);

  /// The client of `session` (empty if none was named).
  std::string client_of(const std::string& session) const;

  /// Takes one of `client`'s runs: 0, or the seconds until it may start
  /// one (and a refusal is counted).
  std::uint32_t take_run(const std::string& client, clock::time_point now);

  /// The clients holding or doing the most, most first, at most `n`.
  std::vector<client_usage_row> top(std::size_t n, clock::time_point now);

  std::size_t clients() const {
    return usage_.size();
  }

  const client_limits& limits() const {
    return limits_;
  }

private:
  struct usage {
    std::uint64_t sessions = 0;
    std::uint64_t refused = 0;
    std::optional<token_bucket> runs;
  };

  static bool forgettable(usage& u, clock::time_point now);
  /// Forgets `client` if nothing of it is left to remember.
  void prune(const std::string& client, clock::time_point now);
  void sweep(clock::time_point now);

  client_limits limits_;
  std::unordered_map<std::string, usage> usage_;
  std::unordered_map<std::string, std::string> client_of_session_;
};

struct client_streams_view;

/// `GET /api/admin/clients`: the limits, and the ten busiest clients with
/// their sessions, recent runs, refusals and open streams.
std::string clients_json(client_quota& quota, const client_streams_view& streams);

} // namespace agenttheo
