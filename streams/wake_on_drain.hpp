#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "messages/messages.hpp"

namespace agenttheo {

/// What a stream's socket side calls when the stream's actor waits for its
/// drain (streams/drain_signal.hpp): a `drained` message. Weak: the socket
/// side's callback must not keep the actor alive.
template <class Self>
std::function<void()> wake_on_drain(Self* self) {
  return [weak = caf::actor_cast<caf::weak_actor_ptr>(self)] {
    if (auto strong = caf::actor_cast<caf::actor>(weak.lock()))
      caf::anon_send(strong, drained_atom::value);
  };
}

} // namespace agenttheo
