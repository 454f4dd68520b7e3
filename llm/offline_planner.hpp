#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// The built-in offline planner: a deterministic, rule-based stand-in for an
/// LLM that needs no network and no key. This is its conversational part:
/// what it answers to a command, streamed token by token like a model's.
namespace offline_planner {

inline constexpr std::string_view provider_name = "planner";
inline constexpr std::string_view model_name = "agenttheo-offline-planner";

/// The planner's full answer to `command`.
std::string reply_to(std::string_view command);

/// Splits text into the pieces the planner streams: each word with the
/// whitespace that follows it, so concatenating the pieces gives the text.
std::vector<std::string> split_tokens(std::string_view text);

} // namespace offline_planner

} // namespace agenttheo
