#include "actors/mcp_tools.hpp"

#include "actors/page_tools.hpp"
#include "actors/steering_tools.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr std::string_view run_agent_tool = R"({"name":"run_agent",)"
  R"("title":"Run the browser agent",)"
  R"("description":"Runs AgentTheo's agent on a command in this MCP session's )"
  R"(browser: it plans, browses and answers. Each step is sent as a progress )"
  R"(notification; the result is the answer, the last screenshot, and the run's )"
  R"(summary (steps, usage). It may run as a task (poll tasks/get, fetch )"
  R"(tasks/result); approvals and questions come as elicitation requests.",)"
  R"("inputSchema":{"type":"object","properties":{)"
  R"("command":{"type":"string","description":"what to do, in words"},)"
  R"("max_steps":{"type":"integer","minimum":1,"maximum":1000},)"
  R"("output_schema":{"type":"object","description":"a JSON Schema the answer must )"
  R"(follow: the result's structuredContent.output is then that object"}},)"
  R"("required":["command"]},)"
  R"("execution":{"taskSupport":"optional"},)"
  R"("outputSchema":{"type":"object","properties":{"result":{"type":"string"},)"
  R"("steps":{"type":"integer"}},"required":["result"]},)"
  R"("annotations":{"readOnlyHint":false,"destructiveHint":true,"openWorldHint":true}})";

constexpr std::string_view list_sessions_tool = R"({"name":"list_sessions",)"
  R"("title":"List sessions",)"
  R"("description":"The server's sessions as GET /api/sessions lists them: id, )"
  R"(title, state, runs, the running run's messageId.",)"
  R"("inputSchema":{"type":"object","properties":{}},)"
  R"("annotations":{"readOnlyHint":true,"openWorldHint":false}})";

constexpr std::string_view get_run_events_tool = R"({"name":"get_run_events",)"
  R"("title":"Read a run's events",)"
  R"("description":"A run's events after an event id, as GET )"
  R"(/api/runs/{messageId}/events gives them: tokens, tool calls, the answer.",)"
  R"("inputSchema":{"type":"object","properties":{)"
  R"("messageId":{"type":"string"},"after":{"type":"integer","minimum":0}},)"
  R"("required":["messageId"]},)"
  R"("annotations":{"readOnlyHint":true,"openWorldHint":false}})";

} // namespace

std::string mcp_tools_list_json() {
  json_writer out;
  out.begin_object()
    .key("tools")
    .begin_array()
    .raw(run_agent_tool)
    .raw(list_sessions_tool)
    .raw(get_run_events_tool);
  for (const auto& tool : agent_tool_schemas()) {
    const auto* row = find_page_tool(tool.name);
    // ask_user and request_takeover need a run and a person: not tools a
    // client calls on a page.
    if (row == nullptr)
      continue;
    out.begin_object()
      .field("name", std::string{mcp_browser_prefix} + tool.name)
      .field("description", tool.description)
      .key("inputSchema")
      .raw(tool.parameters_json)
      .key("annotations")
      .begin_object()
      .field("readOnlyHint", !row->changes_page)
      .field("destructiveHint", row->changes_page)
      .field("openWorldHint", true)
      .end_object()
      .end_object();
  }
  out.end_array().end_object();
  return out.str();
}

std::string mcp_tool_result(std::string_view text, std::string_view jpeg_base64,
                            std::string_view structured, bool is_error) {
  json_writer out;
  out.begin_object().key("content").begin_array();
  out.begin_object().field("type", "text").field("text", text).end_object();
  if (!jpeg_base64.empty())
    out.begin_object()
      .field("type", "image")
      .field("data", jpeg_base64)
      .field("mimeType", "image/jpeg")
      .end_object();
  out.end_array();
  if (!structured.empty())
    out.key("structuredContent").raw(structured);
  out.field("isError", is_error).end_object();
  return out.str();
}

std::optional<std::string> page_tool_of(std::string_view mcp_name) {
  if (mcp_name.substr(0, mcp_browser_prefix.size()) != mcp_browser_prefix)
    return std::nullopt;
  auto name = mcp_name.substr(mcp_browser_prefix.size());
  if (find_page_tool(name) == nullptr)
    return std::nullopt;
  return std::string{name};
}

} // namespace agenttheo
