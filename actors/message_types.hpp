#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace agenttheo {

/// Registers every message type of `messages.hpp` with `cfg`, so the types
/// can be serialized (and so cross nodes) under stable names.
void add_message_types(caf::actor_system_config& cfg);

} // namespace agenttheo
