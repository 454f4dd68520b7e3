#include "http/sse_connection.hpp"

#include <utility>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/monitor_while_alive.hpp"
#include "actors/registry.hpp"
#include "http/session_loss.hpp"
#include "messages/messages.hpp"
#include "messages/payloads.hpp"
#include "messages/registry_messages.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo::http {

namespace {

using self_ptr = caf::stateful_actor<sse_connection_state>*;

simple_response rejection(const stream_rejected& r) {
  if (r.status == 204)
    return no_content();
  auto res = error_response({r.status, r.code, r.message});
  if (r.status == 503)
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

/// The last frame of a stream an operator closed. No `id:` line, so a
/// reconnecting EventSource resumes from the last real event.
frame_ptr disconnected_frame(const sse_connection_state& st) {
  return std::make_shared<const std::string>(
    "event: error\ndata: "
    + payload::run_error("disconnected", "an operator closed this connection",
                         st.message_id, true)
    + "\n\n");
}

/// Hands the waiting frames to the socket side, to go in one write.
void hand_over(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty())
    return;
  st.writer_busy = true;
  st.pending_bytes = 0;
  if (st.pending.size() == 1) {
    // The idle case: one event, and the vector keeps its capacity.
    st.writer->send(std::move(st.pending.front()));
    st.pending.clear();
  } else {
    st.writer->send(std::exchange(st.pending, {}));
  }
}

/// Hands the waiting frames over unless a write is still in flight: then
/// they wait for `drained` and join the next write. That is what makes a
/// busy socket's writes carry many events each, and keeps the backlog here,
/// bounded: past the queue limit it goes over anyway, and the socket side
/// drops the client as a slow consumer.
void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_armed = false;
  if (!st.writer_busy || st.pending_bytes > st.writer->queue_limit())
    hand_over(self);
}

void add_pending(self_ptr self, const event_ptr& ev) {
  auto& st = self->state;
  auto bytes = sse_bytes(ev);
  st.pending_bytes += bytes->size();
  st.pending.push_back(std::move(bytes));
}

/// Writes the pending frames now, or when the batch window closes (the
/// stream's last event never waits).
void release(self_ptr self, bool last) {
  auto& st = self->state;
  if (st.batch.count() == 0 || last)
    return flush(self);
  if (!st.flush_armed) {
    st.flush_armed = true;
    self->delayed_send(self, st.batch, flush_atom::value);
  }
}

void end_stream(self_ptr self) {
  hand_over(self);
  self->state.writer->finish();
  self->quit();
}

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
  st.batch = std::chrono::milliseconds{request.batch_ms};
  // Released on every exit path: a normal end, an error, or a kill.
  self->attach_functor([writer] { writer->finish(); });
  writer->start(
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    },
    [handle = caf::actor{self}] { caf::anon_send(handle, drained_atom::value); });
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    hand_over(self);
    st.writer->send(sse_bytes(session_loss_event(st.node, down.reason,
                                                 st.message_id)));
    end_stream(self);
  });
  self->send(manager, open_stream{caf::actor{self}, std::move(request)});
  return counting_behavior(
    st.writer->stats().get(),
    [self](stream_accepted& accepted) {
      auto& st = self->state;
      st.session = accepted.session;
      st.message_id = accepted.message_id;
      st.node = accepted.node;
      monitor_while_alive(self, st.session);
      st.writer->accept(st.cors_origin);
      auto stats = st.writer->stats();
      stats->set_state("streaming");
      join_registry(self, "sse_connection",
                    st.whole_session ? "session stream" : "run " + st.message_id,
                    accepted.session_id, 0, stats);
      count(counter::connections_opened_sse);
    },
    [self](stream_rejected& rejected) {
      self->state.writer->reject(rejection(rejected));
      self->quit();
    },
    [self](event_frame& frame) {
      observe_delivery(frame.ev->stamped);
      auto last = ends_subscription(frame.ev->raw, self->state.whole_session);
      add_pending(self, frame.ev);
      release(self, last);
      if (last)
        end_stream(self);
    },
    [self](event_batch& batch) {
      // A replay or a paced round: one write for all of it.
      auto last = batch.final;
      for (auto& frame : batch.events) {
        if (batch.live)
          observe_delivery(frame.ev->stamped);
        last = last || ends_subscription(frame.ev->raw, self->state.whole_session);
        add_pending(self, frame.ev);
      }
      release(self, last);
      if (last)
        end_stream(self);
    },
    [self](flush_atom) { flush(self); },
    [self](drained_atom) {
      auto& st = self->state;
      st.writer_busy = false;
      if (!st.flush_armed)
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
      hand_over(self);
      self->state.writer->send(disconnected_frame(self->state));
      end_stream(self);
    });
}

} // namespace agenttheo::http
