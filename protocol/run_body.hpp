#pragma once

#include <cstddef>
#include <string_view>
#include <variant>

#include "messages/stream_request.hpp"
#include "protocol/simple_response.hpp"

namespace agenttheo {

/// Validates the body of `POST /api/sessions/{id}/runs`:
/// `{"command": "...", "messageId": "...", "stream_mode": "...",
///   "multitask": "reject|enqueue|interrupt", "max_steps": N}`, only
/// `command` required. The same rules as `/stream`'s parameters.
std::variant<stream_request, api_error>
parse_run_body(std::string_view body, std::string session_id,
               std::size_t max_command_length);

} // namespace agenttheo
