#include "actors/steering_tools.hpp"

#include <string>

#include "actors/page_tools.hpp"

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
