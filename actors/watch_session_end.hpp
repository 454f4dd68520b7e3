#pragma once

#include "actors/monitor_while_alive.hpp"
#include "messages/messages.hpp"

namespace agenttheo {

/// Makes sure `self` learns, as a `down_msg`, that the session which
/// accepted its stream ended. A session tells the streams it follows from
/// its own node itself (`stream_accepted::session_tells_end`,
/// actors/stream_watchers.hpp); any other stream monitors it, and takes the
/// monitor back if it ends first.
template <class Self>
void watch_session_end(Self* self, const stream_accepted& accepted) {
  if (!accepted.session_tells_end)
    monitor_while_alive(self, accepted.session);
}

} // namespace agenttheo
