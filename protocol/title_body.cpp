#include "protocol/title_body.hpp"

#include "messages/session_title.hpp"
#include "util/json_reader.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

std::variant<std::string, api_error> parse_title_body(std::string_view body) {
  if (!is_valid_utf8(body))
    return api_error::of(api_code::bad_body, "the body must be valid UTF-8");
  json_document doc{body};
  auto title = doc.parsed_object() ? json_reader{doc}.text("title") : std::nullopt;
  if (!title)
    return api_error::of(api_code::bad_body,
                         "the body must be a JSON object with a string title, "
                         "e.g. {\"title\": \"Shop search\"}");
  std::string why;
  if (auto checked = checked_title(*title, why))
    return *std::move(checked);
  return api_error::of(api_code::bad_body, why);
}

} // namespace agenttheo
