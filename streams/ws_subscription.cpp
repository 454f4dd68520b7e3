#include "streams/ws_subscription.hpp"

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/monitor_while_alive.hpp"
#include "actors/watch_session_end.hpp"
#include "actors/registry.hpp"
#include "actors/weak_wake.hpp"
#include "messages/messages.hpp"
#include "messages/payloads.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/ws_protocol.hpp"
#include "streams/event_intake.hpp"
#include "streams/session_loss.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<ws_subscription_state>*;

/// Bytes the event takes on the socket: its binary form if it has one (a
/// screenshot), else its envelope.
std::size_t wire_size(const encoded_event& ev) {
  const auto& binary = ev.ws_binary();
  return binary.empty() ? ev.envelope().size() : binary.size();
}

frame_ptr text_bytes(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

/// Writes the pending events, if the gate lets them go (`now`: the
/// subscription ends): one message each, or with a batch window one JSON
/// array of their envelopes (screenshots stay binary messages, in order).
void flush(self_ptr self, bool now = false) {
  auto& st = self->state;
  if (!open_gate(st.gate, *st.drain, st.writer->queue_limit(), now))
    return;
  auto drained = [drain = st.drain] { drain->drained(); };
  st.stats->events_sent.fetch_add(st.pending.size(), std::memory_order_relaxed);
  auto window = st.gate.window().count() != 0;
  if (st.pending.size() == 1 && !window) {
    // The live case: one event, one message.
    const auto& ev = st.pending.front();
    st.writer->send(ws_message{ws_bytes(ev), !ev->ws_binary().empty()},
                    std::move(drained));
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
    if (!ev->ws_binary().empty()) {
      close_array();
      out.push_back({ws_bytes(ev), true});
    } else if (!window) {
      out.push_back({ws_bytes(ev), false});
    } else {
      array += array.empty() ? '[' : ',';
      array += ev->envelope();
    }
  }
  close_array();
  st.pending.clear();
  st.writer->send(std::move(out), std::move(drained));
}

/// Writes the pending events now, or when the batch window closes (the
/// last event of what is followed never waits).
void release_pending(self_ptr self, bool last) {
  release_frames(self, self->state.gate, last, flush_atom::value,
                 [self, last] { flush(self, last); });
}

void add_pending(self_ptr self, const event_ptr& ev) {
  auto& st = self->state;
  st.gate.add(wire_size(*ev));
  st.pending.push_back(ev);
}

/// The subscription as the event intake sees it: it ends with the last
/// event of what it follows (its socket goes on).
struct ws_intake {
  self_ptr self;
  void add(const event_ptr& ev) const {
    add_pending(self, ev);
  }
  void release(bool last) const {
    release_pending(self, last);
  }
  void end() const {
    self->quit();
  }
};

void subscribed(self_ptr self, const stream_accepted& accepted) {
  auto& st = self->state;
  json_writer data;
  data.begin_object()
    .field("key", st.key)
    .field("session", accepted.session_id)
    .field("messageId", accepted.message_id)
    .field("state", accepted.run_state)
    .end_object();
  ws_message reply{text_bytes(ws_reply("subscribed", st.ref, data.str())), false};
  if (st.sink)
    st.sink->accepted(std::move(reply));
  else
    st.writer->send(std::move(reply));
  st.stats->set_state("streaming");
  join_registry(self, "ws_subscription", st.key, accepted.session_id,
                st.connection_id, st.stats);
}

/// What the sink runs before it writes the subscription's last event: we
/// end, and our socket's actor forgets us at once. The client may answer
/// that event (a ping counting subscriptions, the same subscription
/// again) before our end reaches the socket's actor; this notice is in
/// its mailbox before the event is on the wire, so before any answer.
std::function<void()> on_last_event(self_ptr self, const caf::actor& connection) {
  return [wake = wake_with(self, unsubscribe_atom::value),
          connection = caf::actor_cast<caf::weak_actor_ptr>(connection),
          key = self->state.key, me = self->address()] {
    wake();
    if (auto strong = caf::actor_cast<caf::actor>(connection.lock()))
      caf::anon_send(strong, unsubscribe_atom::value, key, me);
  };
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
  st.gate = write_gate{std::chrono::milliseconds{args.request.batch_ms}};
  st.drain = std::make_shared<drain_signal>(wake_with(self, drained_atom::value));
  // Lives no longer than its socket's connection.
  monitor_while_alive(self, args.connection);
  self->set_down_handler([self, connection = args.connection](caf::down_msg& down) {
    auto& st = self->state;
    if (down.source == connection)
      return self->quit();
    flush(self, true);
    auto lost = session_loss_event(st.node, down.reason, {});
    ws_message word{ws_bytes(lost), false};
    if (st.sink)
      st.sink->send_after_session(std::move(word));
    else
      st.writer->send(std::move(word));
    self->quit();
  });
  if (args.request.batch_ms == 0) {
    // The last event ends us the way an unsubscribe does.
    st.sink = st.writer->make_subscription_sink(st.stats,
                                                on_last_event(self, args.connection));
    self->attach_functor([sink = st.sink] { sink->end(); });
  }
  self->send(args.manager,
             open_stream{caf::actor{self}, std::move(args.request), nullptr, st.sink});
  return counting_behavior(
    st.stats.get(),
    [self](stream_accepted& accepted) {
      self->state.session = accepted.session;
      self->state.node = accepted.node;
      watch_session_end(self, accepted);
      subscribed(self, accepted);
    },
    [self](api_error& rejected) {
      // `/stream` says missing_command for an unknown messageId without a
      // command; a subscription only ever joins, so it is simply unknown.
      if (self->state.joining && rejected.code == "missing_command")
        rejected
          = api_error::of(api_code::unknown_run, "no run with that messageId");
      self->state.writer->send(
        ws_message{text_bytes(ws_error(rejected, self->state.ref)), false});
      self->quit();
    },
    [self](const event_frame& frame) {
      take_event(ws_intake{self}, frame, self->state.whole_session);
    },
    [self](const event_batch& batch) {
      take_events(ws_intake{self}, batch, self->state.whole_session);
    },
    [self](flush_atom) { flush(self); },
    [self](drained_atom) {
      if (self->state.gate.drained())
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

} // namespace agenttheo
