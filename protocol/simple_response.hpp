#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agenttheo {

/// A client-facing failure: HTTP status, a stable machine-readable code, and
/// a sentence for people.
struct http_error {
  std::uint16_t status = 400;
  std::string code;
  std::string message;
};

/// A complete, non-streaming response, independent of the HTTP library so
/// routing and validation stay plain, testable C++.
struct simple_response {
  std::uint16_t status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;
};

/// `{"error":{"status":400,"code":"...","message":"..."}}`
std::string error_body(const http_error& err);

simple_response json_response(std::uint16_t status, std::string body);

simple_response error_response(const http_error& err);

/// 204 has no body.
simple_response no_content();

} // namespace agenttheo
