#include "protocol/rerun_body.hpp"

#include "protocol/stream_params.hpp"
#include "util/json_reader.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

std::string safe_id_rule(std::string_view name) {
  return std::string{name} + " must be 1 to 128 characters from A-Z a-z 0-9 . _ : -";
}

} // namespace

std::variant<rerun_order, api_error> parse_rerun_body(std::string_view body,
                                                      std::string of) {
  rerun_order order;
  order.of = std::move(of);
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return order;
  if (!is_valid_utf8(body))
    return api_error::bad_body("the body must be valid UTF-8");
  json_document doc{body};
  if (!doc.parsed_object())
    return api_error::bad_body(
      "the body must be a JSON object, e.g. {\"fallback\": \"fail\"}");
  for (auto& m : doc.root().GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (name != "session" && name != "messageId" && name != "fallback")
      return api_error::bad_body(
        "a rerun takes session, messageId and fallback; not "
        + std::string{name.substr(0, 64)});
    if (!m.value.IsString() && !m.value.IsNull())
      return api_error::bad_body(std::string{name} + " must be a string");
  }
  json_reader r{doc};
  if (auto id = r.text("session")) {
    if (!is_safe_id(*id))
      return api_error::of(api_code::bad_session, safe_id_rule("session"));
    order.session_id = std::string{*id};
  }
  if (auto id = r.text("messageId")) {
    if (!is_safe_id(*id))
      return api_error::of(api_code::bad_message_id, safe_id_rule("messageId"));
    order.message_id = std::string{*id};
  }
  if (auto fallback = r.text("fallback")) {
    if (*fallback == "fail")
      order.fallback = rerun_fallback::fail;
    else if (*fallback != "model")
      return api_error::bad_body("fallback must be \"model\" or \"fail\"");
  }
  return order;
}

} // namespace agenttheo
