#pragma once

#include <cstdint>
#include <string>

#include "messages/event_type.hpp"

namespace agenttheo {

/// What a client asked for when it opened a stream: a new run (`command`), or
/// to join a known run (`message_id`), optionally resuming after an event id.
struct stream_request {
  std::string command;
  /// Names the run. Empty: the server picks one.
  std::string message_id;
  /// Continues this conversation. Empty: a new session (or the run's own).
  std::string session_id;
  mode_mask modes = all_modes;
  bool has_last_event_id = false;
  std::uint64_t last_event_id = 0;
  /// `on_disconnect=cancel`: the run stops when this client goes away.
  bool cancel_on_disconnect = false;
};

} // namespace agenttheo
