#include "streams/ws_connection.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"
#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/ws_protocol.hpp"
#include "streams/ws_subscription.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<ws_connection_state>*;

constexpr auto manager_timeout = std::chrono::seconds{5};

void write(self_ptr self, std::string text) {
  self->state.writer->send(
    ws_message{std::make_shared<const std::string>(std::move(text)), false});
}

void refuse(self_ptr self, api_error error, const std::string& ref) {
  write(self, ws_error(error, ref));
}

void follow(self_ptr self, ws_subscribe& msg) {
  auto& st = self->state;
  // A run without a messageId gets one here, so its key is known at once.
  if (!msg.request.command.empty() && msg.request.message_id.empty())
    msg.request.message_id = random_id("ws-");
  msg.request.client = st.settings.client;
  auto key = subscription_key(msg.request);
  if (st.subscriptions.count(key))
    return refuse(self,
                  api_error::of(api_code::already_subscribed,
                                "this socket already follows " + key),
                  msg.ref);
  if (st.subscriptions.size() >= st.settings.max_subscriptions)
    return refuse(
      self,
      api_error::of(api_code::too_many_subscriptions,
                    "one socket follows at most "
                      + std::to_string(st.settings.max_subscriptions)
                      + " runs or sessions; unsubscribe first"),
      msg.ref);
  auto child = self->spawn(ws_subscription,
                           ws_subscription_args{st.writer, caf::actor{self},
                                                st.manager, std::move(msg.request),
                                                msg.ref});
  self->monitor(child);
  st.subscriptions.emplace(std::move(key), std::move(child));
}

void unfollow(self_ptr self, const ws_unsubscribe& msg) {
  auto& st = self->state;
  auto i = st.subscriptions.find(msg.key);
  if (i == st.subscriptions.end())
    return refuse(self,
                  api_error::of(api_code::not_subscribed,
                                "this socket does not follow " + msg.key),
                  msg.ref);
  self->send(i->second, unsubscribe_atom::value);
  st.subscriptions.erase(i);
  json_writer data;
  data.begin_object().field("key", msg.key).end_object();
  write(self, ws_reply("unsubscribed", msg.ref, data.str()));
}

/// The API's answer as a WebSocket reply: `ok_type` with its body, or the
/// API's own error, passed on as it is.
void answer_api(self_ptr self, const api_reply& reply, const char* ok_type,
                const std::string& ref) {
  if (reply.status < 300) {
    if (ok_type)
      write(self, ws_reply(ok_type, ref, reply.json));
    return;
  }
  json_document doc{reply.json};
  auto error = json_reader{doc}.object("error");
  auto code = error.text("code");
  auto message = error.text("message");
  if (code && message)
    return refuse(
      self, {reply.status, std::string{*code}, std::string{*message}}, ref);
  refuse(self,
         api_error::of(api_code::unavailable, "the session did not answer"),
         ref);
}

/// Asks the manager (which asks the session) and answers with `ok_type`.
template <class Request>
void ask_manager(self_ptr self, Request request, const char* ok_type,
                 std::string ref) {
  self->request(self->state.manager, manager_timeout, std::move(request))
    .then([self, ok_type, ref](api_reply& reply) {
            answer_api(self, reply, ok_type, ref);
          },
          [self, ref](caf::error&) {
            refuse(self,
                   api_error::of(api_code::unavailable,
                                 "the session manager did not answer in time"),
                   ref);
          });
}

void cancel(self_ptr self, const ws_cancel& msg) {
  ask_manager(self, cancel_session{msg.session_id, false, {}}, "cancelled",
              msg.ref);
}

/// The answer's type for each steering message; an accepted `input` gets
/// none (a person's typing would double the socket's traffic).
const char* steer_reply_type(steer_action action) {
  switch (action) {
    case steer_action::resolve: return "resolved";
    case steer_action::pause: return "paused";
    case steer_action::resume: return "resumed";
    case steer_action::control: return "control";
    default: return nullptr;
  }
}

void steer(self_ptr self, ws_steer& msg) {
  msg.request.client = self->state.settings.client;
  auto type = steer_reply_type(msg.request.action);
  ask_manager(self, std::move(msg.request), type, std::move(msg.ref));
}

void pong(self_ptr self, const ws_ping& msg) {
  using namespace std::chrono;
  json_writer data;
  data.begin_object()
    .field("time", static_cast<std::uint64_t>(
                     duration_cast<milliseconds>(system_clock::now().time_since_epoch())
                       .count()))
    .field("subscriptions", static_cast<std::uint64_t>(self->state.subscriptions.size()))
    .end_object();
  write(self, ws_reply("pong", msg.ref, data.str()));
}

/// Whether the client is within `bucket`'s rate; if not, it is told when
/// it may send again and the message is dropped.
bool within_rate(self_ptr self, std::optional<token_bucket>& bucket,
                 std::size_t rate, const char* what) {
  if (!bucket)
    return true;
  auto wait = bucket->take(token_bucket::clock::now());
  if (wait == 0)
    return true;
  auto err = api_error::of(api_code::rate_limited,
                           "more than " + std::to_string(rate) + " " + what
                             + ": this one was dropped");
  err.retry_after_s = wait;
  refuse(self, std::move(err), {});
  return false;
}

/// Input events (a person moving the mouse over the live view) have their
/// own rate, so they cannot starve the socket's other messages.
bool within_its_rate(self_ptr self, const ws_client_message& msg) {
  auto& st = self->state;
  const auto* steering = std::get_if<ws_steer>(&msg);
  if (steering && steering->request.action == steer_action::input)
    return within_rate(self, st.inputs, st.settings.input_events_per_second,
                       "input events a second (INPUT_EVENTS_PER_SECOND)");
  return within_rate(self, st.messages, st.settings.messages_per_second,
                     "messages a second (CLIENT_WS_MESSAGES_PER_SECOND)");
}

void on_text(self_ptr self, std::string& text) {
  auto msg = parse_ws_message(text, self->state.settings.max_command_length);
  if (!within_its_rate(self, msg))
    return;
  std::visit(
    [self](auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, ws_subscribe>)
        follow(self, m);
      else if constexpr (std::is_same_v<T, ws_unsubscribe>)
        unfollow(self, m);
      else if constexpr (std::is_same_v<T, ws_cancel>)
        cancel(self, m);
      else if constexpr (std::is_same_v<T, ws_steer>)
        steer(self, m);
      else if constexpr (std::is_same_v<T, ws_ping>)
        pong(self, m);
      else
        refuse(self, m.error, m.ref);
    },
    msg);
}

} // namespace

caf::behavior ws_connection(caf::stateful_actor<ws_connection_state>* self,
                            std::shared_ptr<ws_writer> writer,
                            caf::actor manager, ws_connection_settings settings) {
  auto& st = self->state;
  st.writer = writer;
  st.manager = std::move(manager);
  st.settings = settings;
  if (auto rate = static_cast<double>(settings.messages_per_second); rate > 0)
    st.messages.emplace(rate, 2 * rate, token_bucket::clock::now());
  if (auto rate = static_cast<double>(settings.input_events_per_second); rate > 0)
    st.inputs.emplace(rate, 2 * rate, token_bucket::clock::now());
  // Released on every exit path: a normal end, an error, or a kill.
  self->attach_functor([writer] {
    writer->close(ws_close::going_away, "the server closed the connection");
  });
  writer->start(
    [handle = caf::actor{self}](std::string text) {
      caf::anon_send(handle, ws_text{std::move(text)});
    },
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    });
  writer->stats()->set_state("open");
  join_registry(self, "ws_connection", "websocket", {}, 0, writer->stats());
  count(counter::connections_opened_ws);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& subs = self->state.subscriptions;
    for (auto i = subs.begin(); i != subs.end(); ++i)
      if (i->second == down.source) {
        subs.erase(i);
        break;
      }
  });
  return counting_behavior(
    writer->stats().get(),
    [self](ws_text& msg) { on_text(self, msg.text); },
    [self](stream_closed&) { self->quit(); },
    [self](unsubscribe_atom, const std::string& key, const caf::actor_addr& child) {
      // A subscription's last event is on its way to the client.
      auto& subs = self->state.subscriptions;
      auto i = subs.find(key);
      if (i != subs.end() && i->second == child)
        subs.erase(i);
    },
    [self](disconnect_atom) {
      // The client is told why, then the socket closes once that is sent.
      refuse(self,
             api_error::of(api_code::disconnected,
                           "an operator closed this connection"),
             {});
      for (auto& [key, child] : self->state.subscriptions)
        self->send_exit(child, caf::exit_reason::user_shutdown);
      self->state.writer->close(ws_close::policy_violation,
                                "disconnected by an operator");
    });
}

} // namespace agenttheo
