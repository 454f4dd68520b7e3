#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace agenttheo {

namespace http {
class io_context_pool;
} // namespace http

/// Has the actor system run its scheduled actors on the threads of
/// `contexts` (the I/O threads) instead of CAF's own workers: an actor's
/// message and the socket write it leads to are then handled by the same
/// thread, with no wake-up of another thread between them. An actor made
/// ready by a pool thread runs on that thread's context; by another thread
/// (a detached actor), on the contexts in turn; by a handler inside a
/// `woken_here` scope (util/woken_here.hpp), on that thread when the scope
/// ends, without a post. Detached actors keep their threads; timers are
/// the first context's (`io_actor_clock`), with no clock thread.
/// `contexts` must run until the actor system is gone.
void run_actors_on(caf::actor_system_config& cfg,
                   http::io_context_pool& contexts);

} // namespace agenttheo
