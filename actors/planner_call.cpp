#include "actors/llm_call.hpp"

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"

#include "llm/offline_planner.hpp"
#include "messages/messages.hpp"
#include "util/json_reader.hpp"

namespace agenttheo {

namespace {

/// With no delay, a burst of tokens goes out per message so one long reply
/// cannot monopolize a scheduler thread, yet costs few self-messages.
constexpr std::size_t tokens_per_burst = 16;

void emit_some(caf::stateful_actor<planner_call_state>* self) {
  auto& st = self->state;
  auto burst = st.token_delay.count() == 0 ? tokens_per_burst : 1;
  for (; burst > 0 && st.next < st.tokens.size(); --burst) {
    // The planner answers at once: its first piece costs the model nothing,
    // so whatever it waited for was ours.
    std::int64_t model_ns = st.next == 0 ? 0 : -1;
    auto& piece = st.tokens[st.next++];
    st.content += piece;
    st.meter.token();
    self->send(st.session, llm_delta{st.run, std::move(piece), model_ns});
  }
  if (st.next < st.tokens.size()) {
    if (st.token_delay.count() == 0)
      self->send(self, emit_next_atom::value);
    else
      self->delayed_send(self, st.token_delay, emit_next_atom::value);
    return;
  }
  self->send(st.session,
             llm_done{st.run, std::move(st.content), st.prompt_tokens,
                      static_cast<std::uint64_t>(st.tokens.size()),
                      std::move(st.tool_calls)});
  st.meter.finished(true);
  self->quit();
}

} // namespace

caf::behavior planner_call(caf::stateful_actor<planner_call_state>* self,
                           caf::actor session, std::uint64_t run,
                           llm_request request, llm_runtime runtime) {
  auto& st = self->state;
  st.session = session;
  st.run = run;
  st.token_delay = runtime.planner_token_delay;
  st.meter.start(join_registry(self, "llm_call", "offline planner", request.session_id));
  st.prompt_tokens = offline_planner::split_tokens(request.command).size();
  auto results = offline_planner::results_since_command(request.messages,
                                                        request.command);
  // A run whose answer has a shape offers `done`: its `output` schema.
  std::string output_schema;
  for (const auto& tool : request.tools)
    if (tool.name == "done") {
      json_document doc{tool.parameters_json};
      if (const auto* output = json_reader{doc}.object("properties").any("output"))
        output_schema = to_json(*output);
    }
  auto next = offline_planner::next_turn(request.command, results, output_schema);
  st.tokens = offline_planner::split_tokens(next.text);
  st.tool_calls = std::move(next.tool_calls);
  end_with_session(self, session);
  self->send(self, emit_next_atom::value);
  return counting_behavior(st.meter.stats(),
                           [self](emit_next_atom) { emit_some(self); });
}

} // namespace agenttheo
