#include "store/conversation_json.hpp"

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

std::string conversation_to_json(const std::vector<chat_message>& messages) {
  json_writer out;
  out.begin_object().key("messages").begin_array();
  for (const auto& m : messages) {
    out.begin_object().field("role", m.role).field("content", m.content);
    if (!m.tool_calls.empty()) {
      out.key("tool_calls").begin_array();
      for (const auto& call : m.tool_calls)
        out.begin_object()
          .field("id", call.id)
          .field("name", call.name)
          .field("arguments", call.arguments)
          .end_object();
      out.end_array();
    }
    if (!m.tool_call_id.empty())
      out.field("tool_call_id", m.tool_call_id);
    out.end_object();
  }
  out.end_array().end_object();
  return out.str();
}

namespace {

std::string text_of(json_reader& r, const char* name) {
  return std::string{r.text(name).value_or("")};
}

std::vector<tool_call> calls_of(json_reader& message) {
  std::vector<tool_call> calls;
  auto* list = message.array("tool_calls");
  if (!list)
    return calls;
  for (const auto& item : list->GetArray()) {
    json_reader call{item};
    calls.push_back({text_of(call, "id"), text_of(call, "name"),
                     text_of(call, "arguments")});
  }
  return calls;
}

} // namespace

std::vector<chat_message> conversation_from_json(std::string_view json) {
  std::vector<chat_message> messages;
  json_document doc{json};
  json_reader root{doc};
  auto* list = root.array("messages");
  if (!list)
    return messages;
  for (const auto& item : list->GetArray()) {
    if (!item.IsObject())
      continue;
    json_reader m{item};
    auto role = text_of(m, "role");
    if (role.empty())
      continue;
    messages.push_back(
      {role, text_of(m, "content"), calls_of(m), text_of(m, "tool_call_id")});
  }
  return messages;
}

} // namespace agenttheo
