#pragma once

#include <string>
#include <string_view>

namespace agenttheo {

/// `prefix` and 16 random hex digits: a session id, or a messageId a server
/// or client picks for a run it must be able to name before it starts.
std::string random_id(std::string_view prefix);

} // namespace agenttheo
