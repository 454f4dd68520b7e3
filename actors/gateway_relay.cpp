#include "actors/gateway_relay.hpp"

#include <algorithm>
#include <iterator>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/monitor_while_alive.hpp"
#include "actors/registry.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/messages.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<session_relay_state>*;

void add_member(self_ptr self, relay_member& joined) {
  auto& st = self->state;
  if (!st.session) {
    st.session = caf::actor_cast<caf::actor>(self->current_sender());
    // Taken back if the relay ends first (stopped by its router): a
    // monitor lives in the monitored session until then.
    monitor_while_alive(self, st.session);
  }
  // A member that ends first takes its monitor with it; nothing stays here.
  self->monitor(joined.subscriber);
  st.members.push_back(
    {std::move(joined.subscriber), std::move(joined.message_id), joined.modes});
}

void relay(self_ptr self, const event_frame& frame) {
  for (const auto& m : self->state.members)
    if (follows(m.message_id, m.modes, frame.ev->raw))
      self->send(m.handle, frame);
}

void relay(self_ptr self, const event_batch& round) {
  for (const auto& m : self->state.members) {
    auto wants = [&](const event_frame& frame) {
      return follows(m.message_id, m.modes, frame.ev->raw);
    };
    // The usual case: the member follows all of it, and gets it as it is.
    if (std::all_of(round.events.begin(), round.events.end(), wants)) {
      self->send(m.handle, round);
      continue;
    }
    event_batch wanted;
    wanted.live = true;
    std::copy_if(round.events.begin(), round.events.end(),
                 std::back_inserter(wanted.events), wants);
    if (!wanted.events.empty())
      self->send(m.handle, std::move(wanted));
  }
}

} // namespace

caf::behavior gateway_relay(caf::stateful_actor<session_relay_state>* self,
                            std::string session_id) {
  auto& stats = self->state.stats;
  stats = join_registry(self, "gateway_relay", std::move(session_id));
  stats->set_state("relaying");
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    // A normal exit, whatever the session's: the router is linked to it.
    if (down.source == st.session)
      return self->quit();
    auto& members = st.members;
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [&](const auto& m) {
                                   return m.handle.address() == down.source;
                                 }),
                  members.end());
  });
  return counting_behavior(
    stats.get(), [self](relay_member& joined) { add_member(self, joined); },
    [self](const event_frame& frame) { relay(self, frame); },
    [self](const event_batch& round) { relay(self, round); },
    [self](shutdown_atom) { self->quit(); });
}

} // namespace agenttheo
