#include "llm/chat_request.hpp"

#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// `content` as text, or with the message's image as the parts an
/// OpenAI-compatible vision model reads.
void write_content(json_writer& out, const chat_message& m) {
  if (m.image.empty()) {
    out.field("content", m.content);
    return;
  }
  out.key("content").begin_array();
  out.begin_object().field("type", "text").field("text", m.content).end_object();
  out.begin_object()
    .field("type", "image_url")
    .key("image_url")
    .begin_object()
    .field("url", "data:image/jpeg;base64," + m.image.jpeg_base64)
    .end_object()
    .end_object();
  out.end_array();
}

void write_message(json_writer& out, const chat_message& m) {
  out.begin_object().field("role", m.role);
  write_content(out, m);
  if (!m.tool_calls.empty()) {
    out.key("tool_calls").begin_array();
    for (const auto& call : m.tool_calls)
      out.begin_object()
        .field("id", call.id)
        .field("type", "function")
        .key("function")
        .begin_object()
        .field("name", call.name)
        .field("arguments", call.arguments)
        .end_object()
        .end_object();
    out.end_array();
  }
  if (!m.tool_call_id.empty())
    out.field("tool_call_id", m.tool_call_id);
  out.end_object();
}

void write_tool(json_writer& out, const tool_schema& tool) {
  out.begin_object()
    .field("type", "function")
    .key("function")
    .begin_object()
    .field("name", tool.name)
    .field("description", tool.description)
    .key("parameters")
    .raw(tool.parameters_json.empty() ? std::string_view{"{\"type\":\"object\"}"}
                                      : std::string_view{tool.parameters_json})
    .end_object()
    .end_object();
}

} // namespace

std::string chat_request_body(const llm_settings& settings,
                              const std::vector<chat_message>& messages,
                              const std::vector<tool_schema>& tools) {
  json_writer out;
  out.begin_object().field("model", settings.model).field("stream", true);
  out.key("stream_options").begin_object().field("include_usage", true).end_object();
  out.key("messages").begin_array();
  for (const auto& m : messages)
    write_message(out, m);
  out.end_array();
  if (!tools.empty()) {
    out.key("tools").begin_array();
    for (const auto& tool : tools)
      write_tool(out, tool);
    out.end_array();
    out.field("tool_choice", "auto");
  }
  if (settings.temperature >= 0)
    out.field("temperature", settings.temperature);
  if (settings.max_tokens > 0)
    out.field("max_tokens", settings.max_tokens);
  out.end_object();
  return out.str();
}

std::string chat_completions_url(const llm_settings& settings) {
  auto base = settings.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/chat/completions";
}

std::vector<std::string> chat_request_headers(const llm_settings& settings) {
  std::vector<std::string> headers = {"Content-Type: application/json",
                                      "Accept: text/event-stream"};
  if (!settings.api_key.empty())
    headers.push_back("Authorization: Bearer " + settings.api_key);
  if (settings.provider == "openrouter") {
    headers.push_back("HTTP-Referer: https://github.com/agenttheo/agenttheo");
    headers.push_back("X-Title: AgentTheo");
  }
  return headers;
}

} // namespace agenttheo
