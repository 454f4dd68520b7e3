#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "messages/event.hpp"
#include "messages/stream_request.hpp"
#include "metrics/actor_stats.hpp"
#include "protocol/ws_writer.hpp"
#include "streams/write_gate.hpp"

namespace agenttheo {

/// One thing a WebSocket follows: a run, or every run of a session. It is
/// the session's subscriber, exactly like an `sse_connection` (same replay,
/// resume, modes and end), and writes to the socket it shares with its
/// siblings. It ends after the run's last event, when its session ends, on
/// `unsubscribe_atom`, or when its `ws_connection` does.
struct ws_subscription_state {
  std::shared_ptr<ws_writer> writer;
  /// Without a batch window the session writes our events to the socket
  /// itself (protocol/event_sink.hpp); null: they come here.
  std::shared_ptr<subscription_sink> sink;
  std::string key;
  std::string ref;
  bool whole_session = false;
  /// Follows a run that must exist already (`subscribe`, not `run`).
  bool joining = false;
  /// Events not yet handed to the socket, and when they go.
  std::vector<event_ptr> pending;
  write_gate gate;
  /// The socket side's drains; wakes us only when frames wait for one.
  std::shared_ptr<drain_signal> drain;
  caf::actor session;
  /// The worker node running the session (empty: this process).
  std::string node;
  /// Its socket's actor, for the admin view.
  std::uint64_t connection_id = 0;
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "ws_subscription";
};

struct ws_subscription_args {
  std::shared_ptr<ws_writer> writer;
  caf::actor connection;
  caf::actor manager;
  stream_request request;
  std::string ref;
};

caf::behavior ws_subscription(caf::stateful_actor<ws_subscription_state>* self,
                              ws_subscription_args args);

} // namespace agenttheo
