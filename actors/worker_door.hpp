#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace agenttheo {

/// The one actor a worker publishes on its port. A gateway that shows the
/// cluster secret gets the worker's session manager; anyone else gets an
/// error and nothing to talk to.
caf::behavior worker_door(caf::event_based_actor* self, caf::actor manager,
                          std::string secret);

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a guess was right.
bool same_secret(const std::string& given, const std::string& expected);

} // namespace agenttheo
