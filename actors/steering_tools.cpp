#include "actors/steering_tools.hpp"

#include <string>

#include "actors/page_tools.hpp"
#include "browser/approval_policy.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

const std::vector<tool_schema>& steering_tools() {
  static const std::vector<tool_schema> tools{
    {"ask_user",
     "Ask the user a question and wait for the answer: when the command is "
     "ambiguous, or you need something only the user knows.",
     R"({"type":"object","properties":{"question":{"type":"string"},)"
     R"("options":{"type":"array","items":{"type":"string"},)"
     R"("description":"suggested answers"}},"required":["question"]})"},
    {"request_takeover",
     "Hand the browser to the user for something you must not or cannot do "
     "(a login, a CAPTCHA, a payment); the result says where the page is when "
     "they hand it back.",
     R"({"type":"object","properties":{"reason":{"type":"string"}},)"
     R"("required":["reason"]})"},
  };
  return tools;
}

} // namespace

const std::vector<tool_schema>& agent_tool_schemas() {
  static const auto all = [] {
    auto tools = page_tool_schemas();
    for (const auto& tool : steering_tools())
      tools.push_back(tool);
    return tools;
  }();
  return all;
}

std::string agent_tools_json() {
  json_writer out;
  out.begin_object().key("tools").begin_array();
  for (const auto& tool : agent_tool_schemas()) {
    const auto* row = find_page_tool(tool.name);
    out.begin_object()
      .field("name", tool.name)
      .field("description", tool.description)
      .key("parameters")
      .raw(tool.parameters_json)
      .field("changes_page", row != nullptr && row->changes_page)
      .key("approval_rules")
      .begin_array();
    for (auto rule : approval_rule_names(rules_for_tool(tool.name)))
      out.value(rule);
    out.end_array().end_object();
  }
  out.end_array()
    .field("count", static_cast<std::uint64_t>(agent_tool_schemas().size()))
    .end_object();
  return out.str();
}

tool_schema done_tool(const std::string& output_schema) {
  return {"done",
          "Finish the run: call it once, with the answer as `output`, which must "
          "match its schema exactly. Call no other tool with it.",
          R"({"type":"object","properties":{"output":)" + output_schema
            + R"(},"required":["output"]})"};
}

bool is_steering_tool(std::string_view name) {
  return name == "ask_user" || name == "request_takeover";
}

const std::string* tool_parameters(std::string_view name) {
  if (const auto* tool = find_page_tool(name))
    return &tool->parameters;
  for (const auto& tool : steering_tools())
    if (tool.name == name)
      return &tool.parameters_json;
  return nullptr;
}

} // namespace agenttheo
