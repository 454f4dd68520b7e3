#include "actors/mcp_elicitation.hpp"

#include "protocol/jsonrpc.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// Request ids carry what the answer needs: `"elicit:approval:int-…"`.
constexpr std::string_view id_prefix = "elicit:";

void approval_schema(json_writer& out, std::string_view tool) {
  out.begin_object()
    .field("type", "object")
    .key("properties")
    .begin_object()
    .key("approve")
    .begin_object()
    .field("type", "boolean")
    .field("title", "Approve")
    .field("description", "Let the agent run " + std::string{tool})
    .end_object()
    .key("message")
    .begin_object()
    .field("type", "string")
    .field("title", "A note for the agent")
    .end_object()
    .end_object()
    .key("required")
    .begin_array()
    .value("approve")
    .end_array()
    .end_object();
}

void question_schema(json_writer& out, const rapidjson::Value* choices) {
  std::string hint = "Your answer";
  if (choices && choices->IsArray() && !choices->Empty()) {
    hint += " (suggested:";
    for (const auto& choice : choices->GetArray())
      if (choice.IsString())
        hint += std::string{" "} + choice.GetString() + ";";
    hint.back() = ')';
  }
  out.begin_object()
    .field("type", "object")
    .key("properties")
    .begin_object()
    .key("answer")
    .begin_object()
    .field("type", "string")
    .field("title", "Answer")
    .field("description", hint)
    .end_object()
    .end_object()
    .key("required")
    .begin_array()
    .value("answer")
    .end_array()
    .end_object();
}

} // namespace

std::optional<std::string> mcp_elicitation_request(std::string_view interrupt_json,
                                                   std::string_view task_id) {
  json_document doc{interrupt_json};
  json_reader data{doc};
  auto kind = data.text("kind");
  auto id = data.text("interrupt_id");
  if (!kind || !id || (*kind != "approval" && *kind != "question"))
    return std::nullopt;
  bool approval = *kind == "approval";
  json_writer params;
  params.begin_object()
    .field("mode", "form")
    .field("message", approval ? data.text("reason").value_or("The agent asks to go on")
                               : data.text("question").value_or("The agent asks"))
    .key("requestedSchema");
  if (approval)
    approval_schema(params, data.text("tool_name").value_or("a tool"));
  else
    question_schema(params, data.array("choices"));
  if (!task_id.empty())
    params.key("_meta")
      .begin_object()
      .key("io.modelcontextprotocol/related-task")
      .begin_object()
      .field("taskId", task_id)
      .end_object()
      .end_object();
  params.end_object();
  json_writer request_id;
  request_id.value(std::string{id_prefix} + std::string{*kind} + ":" + std::string{*id});
  return jsonrpc_request(request_id.str(), "elicitation/create", params.str());
}

std::optional<mcp_elicited_decision> mcp_elicitation_decision(std::string_view id_json,
                                                              std::string_view result_json) {
  // Ours are plain strings of safe characters: no escapes to undo.
  if (id_json.size() < 2 || id_json.front() != '"' || id_json.back() != '"'
      || id_json.find('\\') != std::string_view::npos)
    return std::nullopt;
  auto id = id_json.substr(1, id_json.size() - 2);
  if (id.substr(0, id_prefix.size()) != id_prefix)
    return std::nullopt;
  id.remove_prefix(id_prefix.size());
  auto colon = id.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  auto kind = id.substr(0, colon);
  mcp_elicited_decision out{std::string{id.substr(colon + 1)}, {}};
  json_document doc{result_json};
  json_reader result{doc};
  auto action = result.text("action");
  auto content = result.object("content");
  json_writer body;
  body.begin_object();
  if (action == "accept" && kind == "approval" && content.boolean("approve") == true)
    body.field("decision", "approve");
  else if (action == "accept" && kind == "question" && content.text("answer"))
    body.field("decision", "answer").field("answer", *content.text("answer"));
  else if (action == "accept" || action == "decline")
    body.field("decision", "reject");
  else
    return std::nullopt;
  auto note = content.text("message");
  body.field("message", note && !note->empty() ? *note
                                               : std::string_view{"decided in the MCP client"});
  body.end_object();
  out.body_json = body.str();
  return out;
}

} // namespace agenttheo
