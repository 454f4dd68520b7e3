#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "messages/chat_types.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

/// One tool invocation. It tells its session the call started
/// (`tool_started`), has the session's page perform it, and tells the
/// session how it ended (`tool_finished`: output, ok, duration), at most
/// `timeout` after the page began it (the page says when: waiting for a
/// browser context does not count). Killing it cancels the call.
struct tool_call_state {
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "tool_call";
};

caf::behavior tool_call_actor(caf::stateful_actor<tool_call_state>* self,
                              caf::actor session, std::uint64_t run,
                              tool_call call, caf::actor page,
                              std::chrono::milliseconds timeout,
                              std::string session_id);

} // namespace agenttheo
