#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

namespace agenttheo {

/// A callback, for another thread to call, that sends `self` the message
/// `atom`: how a hand-off outside the actor model (a round's last ticket
/// dropped, a socket drained) wakes the actor waiting on it. Weak: the
/// callback, kept by whatever calls it, must not keep the actor alive.
template <class Self, class Atom>
std::function<void()> wake_with(Self* self, Atom atom) {
  return [weak = caf::actor_cast<caf::weak_actor_ptr>(self), atom] {
    if (auto strong = caf::actor_cast<caf::actor>(weak.lock()))
      caf::anon_send(strong, atom);
  };
}

} // namespace agenttheo
