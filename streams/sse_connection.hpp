#pragma once

#include <chrono>
#include <memory>
#include <vector>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "messages/stream_request.hpp"
#include "protocol/sse_writer.hpp"
#include "streams/write_gate.hpp"

namespace agenttheo {

/// One open `/stream` response. It asks the manager for its run, then
/// forwards the session's already-encoded frames to its socket side. It ends
/// after the run's terminal event, when the client goes away, or when its
/// session does; on exit, whatever the reason, it finishes its socket.
struct sse_connection_state {
  std::shared_ptr<sse_writer> writer;
  /// `on_disconnect=cancel`: the run stops when this client goes away.
  bool cancel_on_disconnect = false;
  /// Follows every run of a session; ends only when the session does.
  bool whole_session = false;
  std::string cors_origin;
  caf::actor session;
  std::string message_id;
  /// The worker node running the session (empty: this process).
  std::string node;
  /// Frames not yet handed to the socket side, and when they go.
  std::vector<frame_ptr> pending;
  write_gate gate;
  /// The socket side's drains; wakes us only when frames wait for one.
  std::shared_ptr<drain_signal> drain;

  static inline const char* name = "sse_connection";
};

caf::behavior sse_connection(caf::stateful_actor<sse_connection_state>* self,
                             std::shared_ptr<sse_writer> writer,
                             stream_request request, std::string cors_origin,
                             caf::actor manager);

} // namespace agenttheo
