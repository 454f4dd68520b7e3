#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace agenttheo {

/// One call to the model for one turn of a run. It answers its session with
/// `llm_delta` for each piece of the answer as it arrives, then `llm_done`
/// (or `llm_failed`), and exits. Killing it aborts the call.
struct llm_call_state {
  caf::actor session;
  std::uint64_t run = 0;
  std::vector<std::string> tokens;
  std::size_t next = 0;
  std::string content;
  std::uint64_t prompt_tokens = 0;
  std::chrono::milliseconds token_delay{0};

  static inline const char* name = "llm_call";
};

/// The offline planner as a provider: streams its reply to `command`.
caf::behavior llm_call(caf::stateful_actor<llm_call_state>* self,
                       caf::actor session, std::uint64_t run,
                       std::string command,
                       std::chrono::milliseconds token_delay);

} // namespace agenttheo
