#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "actors/worker_link.hpp"
#include "messages/cluster_messages.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

struct cluster_settings {
  std::vector<worker_address> workers;
  std::string secret;
  /// Reach workers over TLS (the actor system loaded CAF's OpenSSL module).
  bool tls = false;
  std::chrono::milliseconds poll_interval{1'000};
  std::chrono::milliseconds timeout{5'000};
  std::chrono::milliseconds retry{1'000};
};

/// What a gateway knows of one worker node.
struct worker_node {
  /// `host:port`, as configured: the name streams and the console use.
  std::string name;
  /// The worker's session manager while it is up; none otherwise.
  caf::actor manager;
  node_status status;
  /// Sessions placed on it since its last status.
  std::uint64_t placed = 0;
  /// Why it was last lost, kept while reconnecting fails for other reasons.
  std::string lost_reason;
  /// What the last failed attempt to reach it said.
  std::string last_error;
  std::int64_t up_since_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::uint64_t times_lost = 0;
  /// Attempts to reach it that failed since it was last up.
  std::uint64_t failed_attempts = 0;

  bool up() const {
    return manager != nullptr;
  }

  /// connecting (never reached yet), up, or lost.
  const char* state() const {
    return up() ? "up" : times_lost > 0 ? "lost" : "connecting";
  }
};

/// The gateway's stand-in for the session manager: it answers the same
/// messages (so HTTP, SSE and WebSocket do not know the difference) by
/// placing new sessions on workers and routing everything else to the
/// worker that runs the session. Streams go from the worker's session
/// straight to the gateway's connection actors.
struct cluster_router_state {
  cluster_settings settings;
  std::vector<worker_node> workers;
  /// session id -> worker index; `seen` once a status listed it, so a
  /// session that is gone from a later status is forgotten, while one
  /// placed a moment ago is not.
  struct placement {
    std::size_t worker = 0;
    bool seen = false;
  };
  std::unordered_map<std::string, placement> sessions;
  /// messageId -> session id
  std::unordered_map<std::string, std::string> runs;
  std::unordered_map<std::string, std::vector<std::string>> runs_of;
  /// session id -> this gateway's relay for it (gateway_relay)
  std::unordered_map<std::string, caf::actor> relays;
  std::size_t last_placed = 0;
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "cluster_router";
};

caf::behavior cluster_router(caf::stateful_actor<cluster_router_state>* self,
                             cluster_settings settings);

/// The `/api/admin/nodes` document of a gateway.
std::string nodes_json(const std::vector<worker_node>& workers);

} // namespace agenttheo
