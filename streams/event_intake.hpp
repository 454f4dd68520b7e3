#pragma once

// What an SSE connection and a WebSocket subscription do with the events
// their session sends: each goes behind the write gate, the gate says when
// they go to the socket, and the stream ends once its last event went.

#include "messages/messages.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

/// `Stream` is the actor's own view: `add(ev)` queues an event behind its
/// write gate, `release(last)` lets the gate decide when they go, and
/// `end()` runs once the stream's last event was handed over.
template <class Stream>
void take_event(const Stream& stream, const event_frame& frame,
                bool whole_session) {
  observe_delivery(frame.ev->stamped);
  auto last = ends_subscription(frame.ev->raw, whole_session);
  stream.add(frame.ev);
  stream.release(last);
  if (last)
    stream.end();
}

/// A replay or a paced round: one write for all of it.
template <class Stream>
void take_events(const Stream& stream, const event_batch& batch,
                 bool whole_session) {
  auto last = batch.final;
  for (auto& frame : batch.events) {
    if (batch.live)
      observe_delivery(frame.ev->stamped);
    last = last || ends_subscription(frame.ev->raw, whole_session);
    stream.add(frame.ev);
  }
  stream.release(last);
  if (last)
    stream.end();
}

} // namespace agenttheo
