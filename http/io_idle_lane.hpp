#pragma once

#include <chrono>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace agenttheo::http {

/// Runs `context` on the calling thread until it stops, with a lane for
/// work that can wait: what `after_ready_io` queues on this thread runs
/// once the context has nothing ready — no handler queued, no socket
/// found ready — or once the oldest of it waited `max_wait`.
///
/// A run's end (its last events, its store rows, its transfer let go) is
/// such work. When many runs end together their last tokens are read in
/// one burst; queued behind only the handlers ready when it was queued,
/// each end still went ahead of the sockets found ready after it, and the
/// readers of last tokens already written waited for it.
///
/// Returns once the context stopped, the lane's work run.
void run_with_idle_lane(
  boost::asio::io_context& context,
  std::chrono::microseconds max_wait = std::chrono::milliseconds{5});

} // namespace agenttheo::http
