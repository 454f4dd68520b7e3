#pragma once

// The bodies of `POST /api/sessions` and `PATCH /api/sessions/{id}`:
// a title and the session's own secrets.

#include <string_view>
#include <variant>

#include "messages/api_error.hpp"
#include "messages/session_request.hpp"

namespace agenttheo {

/// `POST /api/sessions`: no body, or `{"title"?, "secrets"?}` (no `null`
/// secrets: there is nothing to remove yet).
std::variant<new_session_request, api_error> parse_new_session_body(std::string_view body);

/// `PATCH /api/sessions/{id}`: `{"title"?, "secrets"?}`, at least one; a
/// title is one line of at most `max_title_bytes`, trimmed; a secret set
/// to `null` is removed. The change (its `session_id` empty), or why not.
std::variant<update_session, api_error> parse_update_body(std::string_view body);

} // namespace agenttheo
