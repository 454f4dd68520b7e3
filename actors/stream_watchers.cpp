#include "actors/stream_watchers.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

namespace agenttheo {

bool stream_watchers::told_by(const caf::actor& session,
                              const caf::actor& who) {
  return session && who && session.node() == who.node();
}

void stream_watchers::add(const caf::actor& who) {
  members_.emplace(caf::actor_cast<caf::actor_control_block*>(who),
                   who.address());
}

void stream_watchers::remove(const caf::actor_addr& who) {
  members_.erase(caf::actor_cast<caf::actor_control_block*>(who));
}

std::size_t stream_watchers::size() const {
  return members_.size();
}

void stream_watchers::tell_end(const caf::actor_addr& session,
                               const caf::error& reason) {
  for (auto& [block, addr] : members_)
    if (auto who = caf::actor_cast<caf::actor>(addr))
      caf::anon_send(who, caf::down_msg{session, reason});
  members_.clear();
}

} // namespace agenttheo
