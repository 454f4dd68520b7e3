#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "messages/api_error.hpp"

namespace agenttheo {

/// Validates the body of `PATCH /api/sessions/{id}`: `{"title": "..."}`,
/// one line of at most `max_title_bytes`. The title, trimmed, or why not.
std::variant<std::string, api_error> parse_title_body(std::string_view body);

} // namespace agenttheo
