#include "protocol/run_body.hpp"

#include "protocol/stream_params.hpp"
#include "util/json_reader.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

std::variant<stream_request, api_error>
parse_run_body(std::string_view body, std::string session_id,
               std::size_t max_command_length) {
  if (!is_valid_utf8(body))
    return api_error::bad_body("the body must be valid UTF-8");
  json_document doc{body};
  if (!doc.parsed_object())
    return api_error::bad_body(
      "the body must be a JSON object, e.g. {\"command\": \"...\"}");
  // Every member, known or not, has the type the API documents.
  for (auto& m : doc.root().GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    // output_schema is a JSON Schema: an object (or its text).
    if (name == "output_schema" && m.value.IsObject())
      continue;
    // A budget is a number or its text; read_limits says which are good.
    if (name == "max_tokens" || name == "max_cost_usd")
      continue;
    auto counts = name == "max_steps" || name == "max_failures";
    if (counts ? !(m.value.IsUint64() || m.value.IsNull())
               : !(m.value.IsString() || m.value.IsNull()))
      return api_error::bad_body(
        std::string{name}
        + (counts ? " must be a non-negative integer" : " must be a string"));
  }
  stream_request req;
  req.session_id = std::move(session_id);
  req.subscribe = false;
  json_reader r{doc};
  auto command = r.text("command");
  if (!command || command->empty())
    return api_error::of(api_code::missing_command, "command is required");
  if (auto err = check_command(*command, max_command_length))
    return *err;
  req.command = std::string{*command};
  if (auto id = r.text("messageId")) {
    if (!is_safe_id(*id))
      return api_error::of(api_code::bad_message_id,
                           "messageId must be 1 to 128 characters from "
                           "A-Z a-z 0-9 . _ : -");
    req.message_id = std::string{*id};
  }
  if (auto mode = r.text("stream_mode")) {
    auto mask = parse_stream_mode(*mode);
    if (auto* err = std::get_if<api_error>(&mask))
      return *err;
    req.modes = std::get<mode_mask>(mask);
  }
  if (auto strategy = r.text("multitask")) {
    auto parsed = parse_strategy(*strategy);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.strategy = std::get<multitask>(parsed);
  }
  if (auto steps = r.count("max_steps")) {
    if (auto err = check_max_steps(*steps))
      return *err;
    req.max_steps = *steps;
  }
  if (auto err = read_limits(member_text(r), req))
    return *err;
  if (auto err = read_steering(member_text(r), req))
    return *err;
  return req;
}

} // namespace agenttheo
