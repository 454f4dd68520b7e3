#include "http/sse_connection.hpp"

#include <caf/all.hpp>

#include "messages/messages.hpp"
#include "messages/payloads.hpp"

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

/// The last frame a stream gets when its session vanished mid-run.
frame_ptr session_lost_frame(const sse_connection_state& st) {
  auto ev = encode(event{0, event_type::error, "", st.message_id,
                         payload::error("session_lost",
                                        "the session ended unexpectedly"),
                         true});
  return sse_bytes(ev);
}

/// Whether this event ends the stream: a run's terminal event ends a run's
/// stream; a whole-session stream ends only with the session's own.
bool ends_stream(const sse_connection_state& st, const event& ev) {
  return ev.terminal && (!st.whole_session || ev.message_id.empty());
}

void end_stream(self_ptr self) {
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
  // Released on every exit path: a normal end, an error, or a kill.
  self->attach_functor([writer] { writer->finish(); });
  writer->start([handle = caf::actor{self}](close_reason reason) {
    caf::anon_send(handle, stream_closed{reason});
  });
  self->set_down_handler([self](caf::down_msg&) {
    self->state.writer->send(session_lost_frame(self->state));
    end_stream(self);
  });
  self->send(manager, open_stream{caf::actor{self}, std::move(request)});
  return {
    [self](stream_accepted& accepted) {
      auto& st = self->state;
      st.session = accepted.session;
      st.message_id = accepted.message_id;
      self->monitor(st.session);
      st.writer->accept(st.cors_origin);
    },
    [self](stream_rejected& rejected) {
      self->state.writer->reject(rejection(rejected));
      self->quit();
    },
    [self](event_frame& frame) {
      self->state.writer->send(sse_bytes(frame.ev));
      if (ends_stream(self->state, frame.ev->raw))
        end_stream(self);
    },
    [self](event_batch& batch) {
      std::vector<frame_ptr> frames;
      frames.reserve(batch.events.size());
      auto terminal = false;
      for (auto& frame : batch.events) {
        terminal = terminal || ends_stream(self->state, frame.ev->raw);
        frames.push_back(sse_bytes(frame.ev));
      }
      self->state.writer->send(std::move(frames));
      if (terminal || batch.final)
        end_stream(self);
    },
    [self](stream_closed& closed) {
      auto& st = self->state;
      if (closed.reason == close_reason::client_closed
          && st.cancel_on_disconnect && st.session)
        self->send(st.session,
                   cancel_run{st.message_id, "the client disconnected"});
      self->quit();
    },
  };
}

} // namespace agenttheo::http
