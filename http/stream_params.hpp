#pragma once

#include <cstddef>
#include <string_view>
#include <variant>

#include "http/simple_response.hpp"
#include "messages/stream_request.hpp"

namespace agenttheo::http {

/// Longest messageId or session id accepted.
inline constexpr std::size_t max_id_length = 128;

/// True for ids made of `A-Z a-z 0-9 . _ : -`, 1 to 128 characters: safe in
/// URLs, logs, JSON and SSE without escaping.
bool is_safe_id(std::string_view id);

/// Validates a `/stream` request: its query string and `Last-Event-ID`
/// header (empty if absent). Returns the request, or the 400 to answer.
std::variant<stream_request, http_error>
parse_stream_params(std::string_view query, std::string_view last_event_id,
                    std::size_t max_command_length);

} // namespace agenttheo::http
