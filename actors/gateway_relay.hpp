#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "messages/event_type.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

/// On a gateway, one per worker session that its clients follow. The
/// session sends each live round here once, instead of once per subscriber
/// across the network, and the relay hands it to each of its local
/// subscribers that wants it. Replays still go to a subscriber directly;
/// the session names a subscriber to its relay (`relay_member`) after that
/// subscriber's replay and before its next round, on the same connection,
/// so every subscriber sees every event once and in order.
struct session_relay_state {
  struct member {
    caf::actor handle;
    std::string message_id;
    mode_mask modes = all_modes;
  };
  std::vector<member> members;
  /// The session it relays, learnt from its first `relay_member`.
  caf::actor session;
  std::shared_ptr<actor_stats> stats;

  static inline const char* name = "gateway_relay";
};

/// Ends with its session (or when the router that made it stops it).
caf::behavior gateway_relay(caf::stateful_actor<session_relay_state>* self,
                            std::string session_id);

} // namespace agenttheo
