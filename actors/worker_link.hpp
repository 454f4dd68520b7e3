#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace agenttheo {

/// Where a worker listens.
struct worker_address {
  std::string host;
  std::uint16_t port = 0;

  /// `host:port`: the name streams, logs and the console use.
  std::string name() const {
    return host + ":" + std::to_string(port);
  }
};

/// Where one worker is and how to keep in touch with it.
struct worker_link_settings {
  std::size_t index = 0;
  worker_address where;
  /// CLUSTER_SECRET, shown to the worker's door.
  std::string secret;
  /// Connect over TLS (CAF's OpenSSL module), not plain BASP.
  bool tls = false;
  /// Status polls this often; a poll unanswered within `timeout` (or the
  /// middleman dropping the connection) loses the worker.
  std::chrono::milliseconds poll_interval{1'000};
  std::chrono::milliseconds timeout{5'000};
  /// Pause before connecting again after a failure or a loss.
  std::chrono::milliseconds retry{1'000};
  /// Told `worker_up`, `worker_report` and `worker_lost`.
  caf::actor router;
};

/// A gateway's connection to one worker: connects through the middleman,
/// joins through the worker's door, polls its status, notices its loss
/// (a dropped connection, or a poll left unanswered) and connects again
/// until the worker is back.
struct worker_link_state {
  worker_link_settings settings;
  /// The worker's session manager while it is up.
  caf::actor manager;
  /// Bumped at every (re)connection: answers meant for an older one are
  /// ignored.
  std::uint64_t generation = 0;

  static inline const char* name = "worker_link";
};

caf::behavior worker_link(caf::stateful_actor<worker_link_state>* self,
                          worker_link_settings settings);

} // namespace agenttheo
