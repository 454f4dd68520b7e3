#pragma once

// A session's conversation as the store keeps it:
// `{"messages":[{"role","content","tool_calls":[{"id","name","arguments"}],
// "tool_call_id"}]}`.

#include <string>
#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

std::string conversation_to_json(const std::vector<chat_message>& messages);

/// The messages of `json`; what is not a message is skipped.
std::vector<chat_message> conversation_from_json(std::string_view json);

} // namespace agenttheo
