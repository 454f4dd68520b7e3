#pragma once

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace caf {
class actor_system_config;
} // namespace caf

namespace agenttheo {

/// Has the actor system run its scheduled actors on the threads of `ioc`
/// (the I/O threads) instead of CAF's own workers: an actor's message and
/// the socket write it leads to are then handled by the same thread, with
/// no wake-up of another thread between them. Detached actors keep their
/// threads; CAF's clock keeps its own. `ioc` must run until the actor
/// system is gone.
void run_actors_on(caf::actor_system_config& cfg, boost::asio::io_context& ioc);

} // namespace agenttheo
