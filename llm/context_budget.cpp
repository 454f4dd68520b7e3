#include "llm/context_budget.hpp"

#include <cstring>

#include "llm/vision.hpp"

namespace agenttheo {

namespace {

/// Per-message framing the providers add (role, separators).
constexpr std::size_t message_overhead = 4;

std::size_t tokens_of(std::size_t bytes) {
  return (bytes + 3) / 4;
}

/// Index after which tool outputs answer the newest assistant turn.
std::size_t newest_turn_start(const std::vector<chat_message>& messages) {
  for (auto i = messages.size(); i > 0; --i)
    if (messages[i - 1].role == "assistant")
      return i;
  return messages.size();
}

bool trim_output(chat_message& m, budget_report& report) {
  if (m.role != "tool" || m.content == trimmed_output_note)
    return false;
  auto before = estimate_tokens(m);
  m.content = trimmed_output_note;
  report.tokens -= before - estimate_tokens(m);
  ++report.trimmed_outputs;
  return true;
}

void trim_outputs(std::vector<chat_message>& messages, std::size_t from,
                  std::size_t to, std::size_t budget, budget_report& report) {
  for (auto i = from; i < to && report.tokens > budget; ++i)
    trim_output(messages[i], report);
}

/// Drops the oldest turn before `protect_from`; false if there is none.
bool drop_oldest_turn(std::vector<chat_message>& messages,
                      std::size_t& protect_from, budget_report& report) {
  std::size_t first = !messages.empty() && messages[0].role == "system" ? 1 : 0;
  if (first >= protect_from)
    return false;
  // The turn runs to the next user message (a turn never splits an
  // assistant's tool calls from their results).
  auto end = first + 1;
  while (end < protect_from && messages[end].role != "user")
    ++end;
  for (auto i = first; i < end; ++i)
    report.tokens -= estimate_tokens(messages[i]);
  report.dropped_messages += end - first;
  messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(first),
                 messages.begin() + static_cast<std::ptrdiff_t>(end));
  protect_from -= end - first;
  return true;
}

/// Takes the images out of messages[from, to), oldest first, while over
/// budget.
void drop_images(std::vector<chat_message>& messages, std::size_t from,
                 std::size_t to, std::size_t budget, budget_report& report) {
  for (auto i = from; i < to && report.tokens > budget; ++i) {
    auto& m = messages[i];
    if (m.image.empty())
      continue;
    auto before = estimate_tokens(m);
    m.image.jpeg_base64.clear();
    m.image.jpeg_base64.shrink_to_fit();
    m.content += dropped_image_note;
    report.tokens -= before - estimate_tokens(m);
    ++report.dropped_images;
  }
}

/// Index of the newest message with an image (size: none).
std::size_t newest_image(const std::vector<chat_message>& messages) {
  for (auto i = messages.size(); i > 0; --i)
    if (!messages[i - 1].image.empty())
      return i - 1;
  return messages.size();
}

} // namespace

std::size_t estimate_tokens(const chat_message& message) {
  auto bytes = message.content.size() + message.tool_call_id.size();
  for (const auto& call : message.tool_calls)
    bytes += call.id.size() + call.name.size() + call.arguments.size();
  auto image = message.image.empty()
                 ? 0
                 : image_tokens(message.image.width, message.image.height);
  return message_overhead + tokens_of(bytes) + image;
}

std::size_t estimate_tokens(const std::vector<chat_message>& messages) {
  std::size_t total = 0;
  for (const auto& m : messages)
    total += estimate_tokens(m);
  return total;
}

std::size_t estimate_tokens(const std::vector<tool_schema>& tools) {
  std::size_t total = 0;
  for (const auto& t : tools)
    total += message_overhead
             + tokens_of(t.name.size() + t.description.size() + t.parameters_json.size());
  return total;
}

budget_report fit_to_budget(std::vector<chat_message>& messages,
                            std::size_t budget, std::size_t protect_from) {
  budget_report report;
  report.tokens = estimate_tokens(messages);
  if (budget == 0 || report.tokens <= budget)
    return report;
  drop_images(messages, 0, newest_image(messages), budget, report);
  trim_outputs(messages, 0, newest_turn_start(messages), budget, report);
  while (report.tokens > budget && drop_oldest_turn(messages, protect_from, report))
    ;
  trim_outputs(messages, 0, messages.size(), budget, report);
  drop_images(messages, 0, messages.size(), budget, report);
  return report;
}

} // namespace agenttheo
