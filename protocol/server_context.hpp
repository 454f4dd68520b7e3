#pragma once

#include <chrono>

#include "config/config.hpp"
#include "protocol/actor_bridge.hpp"
#include "protocol/connection_registry.hpp"

namespace agenttheo {

/// What every connection of one server shares.
struct server_context {
  server_config config;
  connection_registry connections;
  actor_bridge* bridge = nullptr;
  std::chrono::steady_clock::time_point started
    = std::chrono::steady_clock::now();
};

} // namespace agenttheo
