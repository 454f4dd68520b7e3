#pragma once

#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "protocol/actor_bridge.hpp"
#include "protocol/client_streams.hpp"
#include "protocol/connection_registry.hpp"
#include "protocol/host_policy.hpp"

namespace agenttheo {

class store_inbox;

/// What every connection of one server shares.
struct server_context {
  server_config config;
  /// Which Host headers are answered (from config.host, allowed_hosts).
  host_rules hosts;
  connection_registry connections;
  /// Streams open per client, against CLIENT_MAX_STREAMS.
  client_streams streams_per_client;
  actor_bridge* bridge = nullptr;
  /// The store's inbox, for `/health`; null with STORE=memory.
  std::shared_ptr<const store_inbox> store;
  std::chrono::steady_clock::time_point started
    = std::chrono::steady_clock::now();
};

} // namespace agenttheo
