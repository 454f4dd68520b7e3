#include "actors/registry.hpp"

#include <utility>

#include <caf/all.hpp>

#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"
#include "util/clock.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<registry_state>*;

constexpr auto tick = std::chrono::seconds{1};
constexpr std::size_t history_length = 61;  // a minute of per-second rates
constexpr std::size_t max_errors = 20;

admin_snapshot snapshot(self_ptr self) {
  auto& st = self->state;
  admin_snapshot snap;
  snap.now_ms = unix_millis();
  snap.started_ms = st.started_ms;
  snap.actors.reserve(st.actors.size());
  for (auto& kv : st.actors)
    snap.actors.push_back(kv.second.record);
  snap.live = count_live(snap.actors);
  snap.history = st.history;
  // The newest sample is now, so rates and percentiles include this moment.
  if (!snap.history.empty())
    snap.history.back() = sample_totals(snap.now_ms);
  snap.errors = st.errors;
  return snap;
}

/// The stats, built once, to every admin stream.
void push_stats(self_ptr self) {
  std::string json;
  for (auto& kv : self->state.actors) {
    const auto& e = kv.second;
    if (e.record.kind != "admin_stream")
      continue;
    if (json.empty())
      json = stats_json(snapshot(self));
    self->send(e.handle, admin_stats_atom::value, json);
  }
}

void on_tick(self_ptr self) {
  auto& hist = self->state.history;
  hist.push_back(sample_totals(unix_millis()));
  while (hist.size() > history_length)
    hist.pop_front();
  push_stats(self);
  self->delayed_send(self, tick, registry_tick_atom::value);
}

void on_joined(self_ptr self, actor_joined& msg) {
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (!sender || !msg.record.stats)
    return;
  self->monitor(sender);
  msg.record.id = sender.id();
  self->state.actors[sender.id()] = {sender, std::move(msg.record)};
}

/// Closes a connection actor; its client is told why.
api_reply on_disconnect(self_ptr self, const disconnect_actor& req) {
  auto i = self->state.actors.find(req.actor);
  if (i == self->state.actors.end())
    return error_reply(
      api_error::of(api_code::unknown_actor, "no live actor with that id"));
  const auto& kind = i->second.record.kind;
  if (kind != "sse_connection" && kind != "ws_connection")
    return error_reply(api_error::of(api_code::not_a_connection,
                                     "only sse_connection and ws_connection "
                                     "actors can be disconnected"));
  self->send(i->second.handle, disconnect_atom::value);
  return {200, "{\"disconnected\":" + std::to_string(req.actor) + ",\"kind\":\""
                 + kind + "\"}"};
}

} // namespace

caf::behavior registry(caf::stateful_actor<registry_state>* self,
                       totals_sample at_start) {
  self->state.started_ms = at_start.at_ms;
  self->state.history.push_back(std::move(at_start));
  self->set_down_handler([self](caf::down_msg& down) {
    self->state.actors.erase(down.source.id());
  });
  self->delayed_send(self, tick, registry_tick_atom::value);
  return {
    [self](actor_joined& msg) { on_joined(self, msg); },
    [self](actor_titled& msg) {
      auto i = self->state.actors.find(self->current_sender()->id());
      if (i != self->state.actors.end())
        i->second.record.title = std::move(msg.title);
    },
    [self](recent_error& err) {
      auto& errors = self->state.errors;
      errors.push_back(std::move(err));
      while (errors.size() > max_errors)
        errors.pop_front();
    },
    [self](registry_tick_atom) { on_tick(self); },
    [self](admin_actors_atom) { return actors_json(snapshot(self)); },
    [self](admin_stats_atom) { return stats_json(snapshot(self)); },
    [self](metrics_atom) { return prometheus_text(snapshot(self)); },
    [self](disconnect_actor& req) { return on_disconnect(self, req); },
  };
}

std::shared_ptr<actor_stats>
join_registry(caf::local_actor* self, std::string kind, std::string name,
              std::string parent, std::uint64_t owner,
              std::shared_ptr<actor_stats> stats) {
  if (!stats)
    stats = std::make_shared<actor_stats>();
  if (auto reg = self->system().registry().get(registry_name_atom::value))
    // Sent as `self`: the registry monitors the sender.
    caf::send_as(caf::actor_cast<caf::actor>(self), caf::actor_cast<caf::actor>(reg),
                 actor_joined{{0, std::move(kind), std::move(name), std::move(parent),
                               owner, unix_millis(), stats, {}}});
  return stats;
}

void set_registry_title(caf::local_actor* self, std::string title) {
  if (auto reg = self->system().registry().get(registry_name_atom::value))
    caf::send_as(caf::actor_cast<caf::actor>(self), caf::actor_cast<caf::actor>(reg),
                 actor_titled{std::move(title)});
}

void report_error(caf::local_actor* self, std::string session,
                  std::string message_id, std::string code, std::string message) {
  if (auto reg = self->system().registry().get(registry_name_atom::value))
    caf::anon_send(caf::actor_cast<caf::actor>(reg),
               recent_error{unix_millis(), std::move(session), std::move(message_id),
                            std::move(code), std::move(message)});
}

} // namespace agenttheo
