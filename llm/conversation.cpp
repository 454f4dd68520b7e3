#include "llm/conversation.hpp"

#include <string>

namespace agenttheo {

void drop_unanswered_calls(std::vector<chat_message>& messages) {
  for (auto i = messages.size(); i > 0; --i) {
    const auto& m = messages[i - 1];
    if (m.role != "assistant" || m.tool_calls.empty())
      continue;
    auto answered = messages.size() - i;
    if (answered < m.tool_calls.size())
      messages.resize(i - 1);
    return;
  }
}

prompt build_prompt(std::string_view system, std::string_view page_url,
                    const std::vector<chat_message>& earlier,
                    const std::vector<chat_message>& current,
                    std::size_t budget) {
  prompt out;
  std::string system_text{system};
  if (!page_url.empty())
    system_text += "\n\nThe browser currently shows " + std::string{page_url} + ".";
  out.messages.reserve(1 + earlier.size() + current.size());
  out.messages.push_back({"system", std::move(system_text), {}, {}});
  out.messages.insert(out.messages.end(), earlier.begin(), earlier.end());
  auto command_at = out.messages.size();
  out.messages.insert(out.messages.end(), current.begin(), current.end());
  out.budget = fit_to_budget(out.messages, budget, command_at);
  return out;
}

} // namespace agenttheo
