#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/system_messages.hpp>

#include "actors/llm_call_meter.hpp"
#include "config/llm_settings.hpp"
#include "messages/chat_types.hpp"

namespace agenttheo {

class chat_stream;
class curl_driver;

/// What one turn asks the model.
struct llm_request {
  /// The session asking, by id (for the admin view).
  std::string session_id;
  std::string command;
  std::vector<chat_message> messages;
  std::vector<tool_schema> tools;
  /// Where most of the session's subscribers are written (`http_transfer::
  /// near`): the provider's bytes are read on that thread, and each token
  /// goes from the socket it came by to theirs with no other thread woken.
  const void* near = nullptr;
};

/// What every call shares: the provider settings and the HTTP driver.
struct llm_runtime {
  llm_settings settings;
  std::shared_ptr<curl_driver> driver;
  std::chrono::milliseconds planner_token_delay{0};
};

/// A call outlives no session: when its session goes, so does the call
/// (and, through its exit hooks, whatever transfer it had open).
template <class Self>
void end_with_session(Self* self, const caf::actor& session) {
  self->monitor(session);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
}

// An LLM call is one actor per request. Its session gets `llm_delta` for
// each piece of the answer the moment it arrives (from the call's own
// stream, on the thread that reads it, for a provider: llm/chat_stream.hpp),
// then `llm_done` (or `llm_failed`) from the call, which exits. Killing it
// aborts the call.

struct planner_call_state {
  caf::actor session;
  std::uint64_t run = 0;
  std::vector<std::string> tokens;
  std::size_t next = 0;
  std::string content;
  std::uint64_t prompt_tokens = 0;
  std::vector<tool_call> tool_calls;
  std::chrono::milliseconds token_delay{0};
  llm_call_meter meter;

  static inline const char* name = "llm_call.planner";
};

/// The built-in offline planner as a provider.
caf::behavior planner_call(caf::stateful_actor<planner_call_state>* self,
                           caf::actor session, std::uint64_t run,
                           llm_request request, llm_runtime runtime);

struct openai_call_state {
  caf::actor session;
  std::uint64_t run = 0;
  llm_runtime runtime;
  /// `llm_request::near`.
  const void* near = nullptr;
  std::uint32_t attempt = 0;
  /// The id of the transfer in flight, 0 for none. Shared with the exit
  /// hook, which may run after this state is gone.
  std::shared_ptr<std::uint64_t> open_transfer
    = std::make_shared<std::uint64_t>(0);
  llm_call_meter meter;
  /// The answer is whole; its end waits behind this thread's ready I/O.
  bool finishing = false;
  std::uint64_t idle_generation = 0;
  /// The attempt's stream, read on its transfer's thread, which hands the
  /// text on to the session itself (llm/chat_stream.hpp).
  std::shared_ptr<chat_stream> stream;

  static inline const char* name = "llm_call.openai";
};

/// A streaming chat completion from an OpenAI-compatible provider.
caf::behavior openai_call(caf::stateful_actor<openai_call_state>* self,
                          caf::actor session, std::uint64_t run,
                          llm_request request, llm_runtime runtime);

} // namespace agenttheo
