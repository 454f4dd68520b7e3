#pragma once

#include <memory>

#include "metrics/actor_stats.hpp"

namespace agenttheo {

/// A socket an HTTP session handed over to a long-lived stream (SSE or
/// WebSocket). The connection registry holds them so shutdown can wait for
/// them to flush and then close what is left.
class open_socket {
public:
  virtual ~open_socket() = default;

  /// For shutdown, while the I/O threads still run: finish what is queued,
  /// then close as a server going away does (a WebSocket with 1001). A
  /// stream that ends by itself (SSE, after its run's last event) has
  /// nothing to do.
  virtual void going_away() {
  }

  /// For shutdown, after the I/O threads have stopped: reports the stream as
  /// closed (`server_stopping`) if it has not ended yet.
  virtual void force_closed() = 0;

  /// Keeps `lease` (a client's count of open streams) until the stream is
  /// gone.
  void hold(std::shared_ptr<void> lease) {
    lease_ = std::move(lease);
  }

  /// The socket's live counters (bytes and events sent, bytes queued,
  /// drops), shared with its connection actor and the registry.
  const std::shared_ptr<actor_stats>& stats() const {
    return stats_;
  }

protected:
  std::shared_ptr<actor_stats> stats_ = std::make_shared<actor_stats>();

private:
  std::shared_ptr<void> lease_;
};

} // namespace agenttheo
