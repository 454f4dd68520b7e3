#include "protocol/session_body.hpp"

#include <optional>
#include <string>

#include "messages/session_title.hpp"
#include "util/json_reader.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// What both bodies may hold, read and checked.
struct session_fields {
  std::string title;
  std::optional<secrets_patch> secrets;
};

std::variant<session_fields, api_error> read_fields(std::string_view body) {
  constexpr const char* shape = "the body must be a JSON object with a string title and/or "
                                "secrets, e.g. {\"title\": \"Shop search\", \"secrets\": "
                                "{\"pw\": {\"value\": \"...\", \"hosts\": [\"example.com\"]}}}";
  if (!is_valid_utf8(body))
    return api_error::bad_body("the body must be valid UTF-8");
  json_document doc{body};
  if (!doc.parsed_object())
    return api_error::bad_body(shape);
  json_reader reader{doc};
  session_fields out;
  if (auto title = reader.text("title")) {
    std::string why;
    auto checked = checked_title(*title, why);
    if (!checked)
      return api_error::bad_body(why);
    out.title = *std::move(checked);
  }
  if (reader.error())
    return api_error::bad_body(shape);
  if (const auto* secrets = reader.any("secrets"); secrets && !secrets->IsNull()) {
    auto parsed = parse_secrets_patch(to_json(*secrets));
    if (auto* why = std::get_if<std::string>(&parsed))
      return api_error::of(api_code::bad_secrets, std::move(*why));
    out.secrets = std::get<secrets_patch>(std::move(parsed));
  }
  return out;
}

} // namespace

std::variant<new_session_request, api_error> parse_new_session_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return new_session_request{};
  auto fields = read_fields(body);
  if (auto* err = std::get_if<api_error>(&fields))
    return std::move(*err);
  auto& read = std::get<session_fields>(fields);
  new_session_request out;
  out.title = std::move(read.title);
  if (read.secrets) {
    if (!read.secrets->removed.empty())
      return api_error::of(api_code::bad_secrets,
                           "secret " + read.secrets->removed.front()
                             + ": a new session has no secret to remove");
    if (read.secrets->set.size() > max_session_secrets)
      return api_error::of(api_code::bad_secrets,
                           "a session may hold at most "
                             + std::to_string(max_session_secrets)
                             + " secrets of its own");
    out.secrets = std::move(read.secrets->set);
  }
  return out;
}

std::variant<update_session, api_error> parse_update_body(std::string_view body) {
  auto fields = read_fields(body);
  if (auto* err = std::get_if<api_error>(&fields))
    return std::move(*err);
  auto& read = std::get<session_fields>(fields);
  if (read.title.empty() && !read.secrets)
    return api_error::bad_body(
      "the body must change something: a title, secrets, or both");
  update_session out;
  out.title = std::move(read.title);
  if (read.secrets)
    out.secrets = *std::move(read.secrets);
  return out;
}

} // namespace agenttheo
