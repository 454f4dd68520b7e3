#include "protocol/rerun_script_of.hpp"

#include <string>

#include "util/json_reader.hpp"

namespace agenttheo {

namespace {

api_error incomplete(const std::string& of, std::string why) {
  return api_error::of(api_code::recording_incomplete,
                       "run " + of + " cannot be rerun: " + std::move(why));
}

std::string text_of(const rapidjson::Value& object, const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString())
    return {};
  return {member->value.GetString(), member->value.GetStringLength()};
}

std::vector<tool_call> calls_of(const rapidjson::Value& data) {
  std::vector<tool_call> calls;
  auto list = data.FindMember("tool_calls");
  if (list == data.MemberEnd() || !list->value.IsArray())
    return calls;
  for (const auto& call : list->value.GetArray())
    if (call.IsObject())
      calls.push_back({text_of(call, "id"), text_of(call, "name"),
                       text_of(call, "arguments")});
  return calls;
}

/// Reads the events in order, keeping what a script needs.
struct script_reader {
  rerun_script script;
  std::string url_now;

  void read(const rapidjson::Value& ev) {
    if (!ev.IsObject())
      return;
    auto data = ev.FindMember("data");
    if (data == ev.MemberEnd() || !data->value.IsObject())
      return;
    auto type = text_of(ev, "type");
    const auto& d = data->value;
    if (type == "start")
      script.command = text_of(d, "command");
    else if (type == "message" && text_of(d, "role") == "assistant")
      script.steps.push_back({text_of(d, "content"), calls_of(d), url_now});
    else if (type == "update" && text_of(d, "node") == "tools")
      if (auto state = d.FindMember("state");
          state != d.MemberEnd() && state->value.IsObject())
        if (auto url = text_of(state->value, "url"); !url.empty())
          url_now = std::move(url);
  }
};

} // namespace

std::variant<rerun_script, api_error> rerun_script_of(std::string_view events_json) {
  json_document doc{events_json};
  if (!doc.parsed_object())
    return incomplete("?", "its events could not be read");
  json_reader run{doc};
  auto of = std::string{run.text("messageId").value_or("?")};
  if (run.text("state").value_or("") != "finished")
    return api_error::of(api_code::run_not_finished,
                         "run " + of + " is still in progress; rerun it once it ends");
  if (const auto* gap = run.any("gap"); gap && !gap->IsNull())
    return incomplete(of, "the event log no longer holds all of its events");
  script_reader reader;
  if (const auto* events = run.array("events"))
    for (const auto& ev : events->GetArray())
      reader.read(ev);
  if (reader.script.command.empty())
    return incomplete(of, "its start is no longer in the event log");
  if (reader.script.steps.empty())
    return incomplete(of, "it ended before the model's first step");
  reader.script.of = std::move(of);
  return std::move(reader.script);
}

} // namespace agenttheo
