#pragma once

#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// The agent's browser tools, with the JSON schemas the LLM is given.
const std::vector<tool_schema>& browser_tools();

} // namespace agenttheo
