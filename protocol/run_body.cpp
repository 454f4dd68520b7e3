#include "protocol/run_body.hpp"

#include <rapidjson/document.h>

#include "protocol/stream_params.hpp"

namespace agenttheo {

namespace {

api_error bad_body(std::string message) {
  return api_error::of(api_code::bad_body, std::move(message));
}

/// The member `name` as a string: nullptr when absent, `bad` when not a string.
const rapidjson::Value* member(const rapidjson::Document& doc, const char* name) {
  auto i = doc.FindMember(name);
  return i == doc.MemberEnd() || i->value.IsNull() ? nullptr : &i->value;
}

std::string_view text_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

} // namespace

std::variant<stream_request, api_error>
parse_run_body(std::string_view body, std::string session_id,
               std::size_t max_command_length) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return bad_body("the body must be a JSON object, e.g. {\"command\": \"...\"}");
  for (auto& m : doc.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (name == "max_steps" ? !(m.value.IsUint64() || m.value.IsNull())
                            : !(m.value.IsString() || m.value.IsNull()))
      return bad_body(std::string{name}
                      + (name == "max_steps" ? " must be a positive integer"
                                             : " must be a string"));
  }
  stream_request req;
  req.session_id = std::move(session_id);
  req.subscribe = false;
  auto* command = member(doc, "command");
  if (!command || command->GetStringLength() == 0)
    return api_error::of(api_code::missing_command, "command is required");
  if (auto err = check_command(text_of(*command), max_command_length))
    return *err;
  req.command = std::string{text_of(*command)};
  if (auto* id = member(doc, "messageId")) {
    if (!is_safe_id(text_of(*id)))
      return api_error::of(api_code::bad_message_id,
                           "messageId must be 1 to 128 characters from "
                           "A-Z a-z 0-9 . _ : -");
    req.message_id = std::string{text_of(*id)};
  }
  if (auto* mode = member(doc, "stream_mode")) {
    auto mask = parse_stream_mode(text_of(*mode));
    if (auto* err = std::get_if<api_error>(&mask))
      return *err;
    req.modes = std::get<mode_mask>(mask);
  }
  if (auto* strategy = member(doc, "multitask")) {
    auto parsed = parse_strategy(text_of(*strategy));
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.strategy = std::get<multitask>(parsed);
  }
  if (auto* steps = member(doc, "max_steps")) {
    if (auto err = check_max_steps(steps->GetUint64()))
      return *err;
    req.max_steps = steps->GetUint64();
  }
  return req;
}

} // namespace agenttheo
