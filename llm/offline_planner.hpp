#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// The built-in offline planner: a deterministic, rule-based stand-in for an
/// LLM that needs no network and no key. It turns plain commands into the
/// same tool calls a model would make, one step per turn, and streams its
/// narration and final answer as tokens.
namespace offline_planner {

/// One understood step: the tool call it needs, and what to say about it.
struct planned_step {
  std::string tool;
  std::string arguments_json;
  std::string narration;
};

struct plan {
  std::vector<planned_step> steps;
  /// Parts of the command no rule matched, as the user wrote them.
  std::vector<std::string> not_understood;
};

/// Splits on `then`, `;`, `, then`, `and then`, and matches each part.
plan parse_command(std::string_view command);

/// What the planner says next, given the outputs of the steps done so far.
struct turn {
  std::string text;
  std::vector<tool_call> tool_calls;
};

/// `output_schema` given (a run that must answer in a shape): once the
/// plan is done, the planner calls `done` with an output filled from what
/// its steps read, by property name (`title`, `links`, `text`, `url`,
/// `answer`), the rest empty of their type.
turn next_turn(std::string_view command, const std::vector<std::string>& results,
               std::string_view output_schema = {});

/// The outputs of the run's tool calls so far: the `tool` messages after
/// its command (the last user message saying it). Earlier runs' belong to
/// other commands; notes the session adds as user messages after it (a
/// loop warning, a person handing the browser back) do not start the plan
/// over.
std::vector<std::string> results_since_command(const std::vector<chat_message>& messages,
                                               std::string_view command);

/// The planner's reply when it understands no step (or not all of them).
std::string reply_to(std::string_view command);

/// Splits text into the pieces the planner streams: each word with the
/// whitespace that follows it, so concatenating the pieces gives the text.
std::vector<std::string> split_tokens(std::string_view text);

} // namespace offline_planner

} // namespace agenttheo
