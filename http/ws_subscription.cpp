#include "http/ws_subscription.hpp"

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/monitor_while_alive.hpp"
#include "actors/registry.hpp"
#include "http/session_loss.hpp"
#include "http/ws_protocol.hpp"
#include "messages/json_writer.hpp"
#include "messages/messages.hpp"
#include "messages/payloads.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo::http {

namespace {

using self_ptr = caf::stateful_actor<ws_subscription_state>*;

frame_ptr text_bytes(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

/// Writes the pending events: one message each, or with a batch window one
/// JSON array of their envelopes (screenshots stay binary messages, in order).
/// While the socket still writes our last batch they wait, unless `now`
/// (the subscription ends) or they passed the queue limit.
void flush(self_ptr self, bool now = false) {
  auto& st = self->state;
  st.flush_armed = false;
  if (st.pending.empty())
    return;
  // Past the queue limit the batch goes anyway: the socket drops the client.
  if (st.writer_busy && !now && st.pending_bytes <= st.writer->queue_limit())
    return;
  st.writer_busy = true;
  st.pending_bytes = 0;
  auto drained = [handle = caf::actor{self}] {
    caf::anon_send(handle, drained_atom::value);
  };
  st.stats->events_sent.fetch_add(st.pending.size(), std::memory_order_relaxed);
  if (st.pending.size() == 1 && st.batch.count() == 0) {
    // The live case: one event, one message.
    const auto& ev = st.pending.front();
    std::vector<ws_message> one{ws_message{ws_bytes(ev), !ev->ws_binary.empty()}};
    st.writer->send(std::move(one), std::move(drained));
    st.pending.clear();
    return;
  }
  std::vector<ws_message> out;
  std::string array;
  auto close_array = [&] {
    if (array.empty())
      return;
    array += ']';
    out.push_back({text_bytes(std::move(array)), false});
    array.clear();
  };
  for (auto& ev : st.pending) {
    if (!ev->ws_binary.empty()) {
      close_array();
      out.push_back({ws_bytes(ev), true});
    } else if (st.batch.count() == 0) {
      out.push_back({ws_bytes(ev), false});
    } else {
      array += array.empty() ? '[' : ',';
      array += ev->envelope;
    }
  }
  close_array();
  st.pending.clear();
  st.writer->send(std::move(out), std::move(drained));
}

/// Writes the pending events now, or when the batch window closes (the
/// last event of what is followed never waits).
void release(self_ptr self, bool last) {
  auto& st = self->state;
  if (st.batch.count() == 0 || last)
    return flush(self, last);
  if (!st.flush_armed) {
    st.flush_armed = true;
    self->delayed_send(self, st.batch, flush_atom::value);
  }
}

void subscribed(self_ptr self, const stream_accepted& accepted) {
  auto& st = self->state;
  json_writer data;
  data.begin_object()
    .field("key", st.key)
    .field("session", accepted.session_id)
    .field("messageId", accepted.message_id)
    .field("state", accepted.run_state)
    .end_object();
  st.writer->send(ws_message{text_bytes(ws_reply("subscribed", st.ref, data.str())), false});
  st.stats->set_state("streaming");
  join_registry(self, "ws_subscription", st.key, accepted.session_id,
                st.connection_id, st.stats);
}

} // namespace

caf::behavior ws_subscription(caf::stateful_actor<ws_subscription_state>* self,
                              ws_subscription_args args) {
  auto& st = self->state;
  st.writer = std::move(args.writer);
  st.key = subscription_key(args.request);
  st.ref = std::move(args.ref);
  st.whole_session = args.request.whole_session;
  st.connection_id = args.connection.id();
  st.joining = args.request.command.empty();
  st.batch = std::chrono::milliseconds{args.request.batch_ms};
  // Lives no longer than its socket's connection.
  monitor_while_alive(self, args.connection);
  self->set_down_handler([self, connection = args.connection](caf::down_msg& down) {
    auto& st = self->state;
    if (down.source == connection)
      return self->quit();
    flush(self, true);
    auto lost = session_loss_event(st.node, down.reason, {});
    st.writer->send(ws_message{ws_bytes(lost), false});
    self->quit();
  });
  self->send(args.manager, open_stream{caf::actor{self}, std::move(args.request)});
  return counting_behavior(
    st.stats.get(),
    [self](stream_accepted& accepted) {
      self->state.session = accepted.session;
      self->state.node = accepted.node;
      monitor_while_alive(self, accepted.session);
      subscribed(self, accepted);
    },
    [self](stream_rejected& rejected) {
      // `/stream` says missing_command for an unknown messageId without a
      // command; a subscription only ever joins, so it is simply unknown.
      if (self->state.joining && rejected.code == "missing_command")
        rejected = {404, "unknown_run", "no run with that messageId"};
      self->state.writer->send(
        ws_message{text_bytes(ws_error({rejected.status, rejected.code, rejected.message},
                                       self->state.ref)),
                   false});
      self->quit();
    },
    [self](event_frame& frame) {
      observe_delivery(frame.ev->stamped);
      auto last = ends_subscription(frame.ev->raw, self->state.whole_session);
      self->state.pending_bytes += frame.ev->envelope.size();
      self->state.pending.push_back(std::move(frame.ev));
      release(self, last);
      if (last)
        self->quit();
    },
    [self](event_batch& batch) {
      // A replay or a paced round: one write for all of it.
      auto last = batch.final;
      for (auto& frame : batch.events) {
        if (batch.live)
          observe_delivery(frame.ev->stamped);
        last = last || ends_subscription(frame.ev->raw, self->state.whole_session);
        self->state.pending_bytes += frame.ev->envelope.size();
        self->state.pending.push_back(std::move(frame.ev));
      }
      release(self, last);
      if (last)
        self->quit();
    },
    [self](flush_atom) { flush(self); },
    [self](drained_atom) {
      auto& st = self->state;
      st.writer_busy = false;
      if (!st.flush_armed)
        flush(self);
    },
    [self](video_frame& frame) {
      // Live video: a newer frame replaces one still waiting; never queued.
      self->state.writer->send_frame(std::move(frame.bytes), self->state.key);
    },
    [self](unsubscribe_atom) {
      flush(self, true);
      self->quit();
    });
}

} // namespace agenttheo::http
