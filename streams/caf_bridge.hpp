#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "protocol/actor_bridge.hpp"

namespace agenttheo {

/// The bridge to the actors of `system`, routed through `manager`, with
/// the admin views from `registry`.
std::unique_ptr<actor_bridge> make_caf_bridge(caf::actor_system& system,
                                              caf::actor manager,
                                              caf::actor registry);

} // namespace agenttheo
