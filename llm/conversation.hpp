#pragma once

#include <string_view>
#include <vector>

#include "llm/context_budget.hpp"
#include "messages/chat_types.hpp"

namespace agenttheo {

/// Removes a trailing assistant turn whose tool calls did not all get a
/// result (a run stopped mid-step): providers reject such a history.
void drop_unanswered_calls(std::vector<chat_message>& messages);

/// What one model turn is sent: the system prompt (with the page the browser
/// shows, when known), the conversation of earlier runs, and this run's
/// messages, fitted into `budget` estimated tokens. This run's command is
/// never dropped.
struct prompt {
  std::vector<chat_message> messages;
  budget_report budget;
};

prompt build_prompt(std::string_view system, std::string_view page_url,
                    const std::vector<chat_message>& earlier,
                    const std::vector<chat_message>& current, std::size_t budget);

} // namespace agenttheo
