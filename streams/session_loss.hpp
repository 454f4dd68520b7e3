#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "messages/event.hpp"

namespace agenttheo {

/// The `error` event a stream ends with when its session went away without
/// a terminal event: `node_lost`, naming the worker, when the node running
/// it was lost (`node` set, the middleman reporting the link unreachable);
/// `session_lost` otherwise.
event_ptr session_loss_event(const std::string& node, const caf::error& reason,
                             const std::string& message_id);

} // namespace agenttheo
