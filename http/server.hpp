#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace agenttheo {
class actor_bridge;
class store_inbox;
} // namespace agenttheo

namespace agenttheo::http {

class io_context_pool;

/// The HTTP front of AgentTheo: the I/O threads, the listener, and signal
/// handling. Constructed before the actor system, destroyed after it, so an
/// actor that posts to a socket never outlives the I/O context.
class server {
public:
  explicit server(const server_config& config);
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// What `/health` says of the store (STORE=sqlite); call before start.
  void watch_store(std::shared_ptr<const store_inbox> store);

  /// Binds and starts the I/O threads. Returns an error message on failure.
  std::optional<std::string> start(actor_bridge& bridge);

  /// The I/O contexts the I/O threads run.
  io_context_pool& io_contexts();

  /// Actors run on those contexts (ACTORS_ON_IO_THREADS): `stop` leaves one
  /// thread running each, for the actor system's shutdown, until the
  /// server is destroyed.
  void keep_context_after_stop();

  /// The port actually bound (differs from the config's when it was 0).
  std::uint16_t port() const;

  /// Blocks until SIGINT or SIGTERM.
  void wait_for_stop_signal();

  /// Stops accepting connections.
  void stop_accepting();

  /// Waits until every open stream has flushed and closed, or `grace` passed.
  bool drain(std::chrono::milliseconds grace);

  /// Stops the I/O threads and reports any stream still open as closed
  /// (see `keep_context_after_stop`).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agenttheo::http
