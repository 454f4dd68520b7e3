#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/api_error.hpp"

namespace agenttheo {

/// A complete, non-streaming response, independent of the HTTP library so
/// routing and validation stay plain, testable C++.
struct simple_response {
  std::uint16_t status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;
};

simple_response json_response(std::uint16_t status, std::string body);

simple_response error_response(const api_error& err);

/// 204 has no body.
simple_response no_content();

} // namespace agenttheo
