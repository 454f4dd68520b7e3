#include "streams/sse_connection.hpp"

#include <utility>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/watch_session_end.hpp"
#include "actors/registry.hpp"
#include "actors/weak_wake.hpp"
#include "messages/messages.hpp"
#include "messages/payloads.hpp"
#include "messages/registry_messages.hpp"
#include "metrics/runtime_metrics.hpp"
#include "streams/event_intake.hpp"
#include "streams/session_loss.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<sse_connection_state>*;

simple_response rejection(const api_error& r) {
  if (r.status == 204)
    return no_content();
  auto res = error_response(r);
  // A 503 that does not say when (the actors did not answer): soon.
  if (r.status == 503 && r.retry_after_s == 0)
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

/// The last frame of a stream an operator closed. No `id:` line, so a
/// reconnecting EventSource resumes from the last real event; not final:
/// the run goes on, and the client is expected to come back for it.
frame_ptr disconnected_frame(const sse_connection_state& st) {
  return std::make_shared<const std::string>(
    "event: error\ndata: "
    + payload::run_error("disconnected", "an operator closed this connection",
                         st.message_id, false)
    + "\n\n");
}

/// Hands the waiting frames to the socket side, to go in one write.
void send_pending(self_ptr self) {
  auto& st = self->state;
  if (st.pending.size() == 1) {
    // The idle case: one event, and the vector keeps its capacity.
    st.writer->send(std::move(st.pending.front()));
    st.pending.clear();
  } else {
    st.writer->send(std::exchange(st.pending, {}));
  }
}

/// Hands the waiting frames over if the gate lets them go (`now`: the
/// stream ends, they go whatever the socket is doing).
void flush(self_ptr self, bool now = false) {
  auto& st = self->state;
  if (open_gate(st.gate, *st.drain, st.writer->queue_limit(), now))
    send_pending(self);
}

void add_pending(self_ptr self, const event_ptr& ev) {
  auto& st = self->state;
  auto bytes = sse_bytes(ev);
  st.gate.add(bytes->size());
  st.pending.push_back(std::move(bytes));
}

/// Writes the pending frames now, or when the batch window closes (the
/// stream's last event never waits).
void release_pending(self_ptr self, bool last) {
  release_frames(self, self->state.gate, last, flush_atom::value,
                 [self] { flush(self); });
}

void end_stream(self_ptr self) {
  flush(self, true);
  self->state.writer->finish();
  self->quit();
}

/// The connection as the event intake sees it.
struct sse_intake {
  self_ptr self;
  void add(const event_ptr& ev) const {
    add_pending(self, ev);
  }
  void release(bool last) const {
    release_pending(self, last);
  }
  void end() const {
    end_stream(self);
  }
};

} // namespace

caf::behavior sse_connection(caf::stateful_actor<sse_connection_state>* self,
                             std::shared_ptr<sse_writer> writer,
                             stream_request request, std::string cors_origin,
                             caf::actor manager) {
  auto& st = self->state;
  st.writer = writer;
  st.cancel_on_disconnect = request.cancel_on_disconnect;
  st.whole_session = request.whole_session;
  st.cors_origin = std::move(cors_origin);
  st.gate = write_gate{std::chrono::milliseconds{request.batch_ms}};
  st.drain = std::make_shared<drain_signal>(wake_with(self, drained_atom::value));
  // Released on every exit path: a normal end, an error, or a kill.
  self->attach_functor([writer] { writer->finish(); });
  writer->start(
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    },
    [drain = st.drain] { drain->drained(); });
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    flush(self, true);
    st.writer->send(sse_bytes(session_loss_event(st.node, down.reason,
                                                 st.message_id)));
    end_stream(self);
  });
  // Without a batch window, the session writes our events to the socket
  // itself (protocol/event_sink.hpp); with one, they come here to wait.
  std::shared_ptr<event_sink> sink;
  if (request.batch_ms == 0)
    sink = writer;
  self->send(manager, open_stream{caf::actor{self}, std::move(request), nullptr,
                                  std::move(sink)});
  return counting_behavior(
    st.writer->stats().get(),
    [self](stream_accepted& accepted) {
      auto& st = self->state;
      st.session = accepted.session;
      st.message_id = accepted.message_id;
      st.node = accepted.node;
      watch_session_end(self, accepted);
      st.writer->accept(st.cors_origin);
      auto stats = st.writer->stats();
      stats->set_state("streaming");
      join_registry(self, "sse_connection",
                    st.whole_session ? "session stream"
                                     : "run " + st.message_id,
                    accepted.session_id, 0, stats);
      count(counter::connections_opened_sse);
    },
    [self](api_error& rejected) {
      self->state.writer->reject(rejection(rejected));
      self->quit();
    },
    [self](const event_frame& frame) {
      take_event(sse_intake{self}, frame, self->state.whole_session);
    },
    [self](const event_batch& batch) {
      take_events(sse_intake{self}, batch, self->state.whole_session);
    },
    [self](flush_atom) { flush(self); },
    [self](drained_atom) {
      if (self->state.gate.drained())
        flush(self);
    },
    [self](stream_closed& closed) {
      auto& st = self->state;
      if (closed.reason == close_reason::client_closed
          && st.cancel_on_disconnect && st.session)
        self->send(st.session,
                   cancel_run{st.message_id, "the client disconnected"});
      self->quit();
    },
    [self](disconnect_atom) {
      flush(self, true);
      self->state.writer->send(disconnected_frame(self->state));
      end_stream(self);
    });
}

} // namespace agenttheo
