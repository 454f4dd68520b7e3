#include "protocol/simple_response.hpp"

namespace agenttheo {

simple_response json_response(std::uint16_t status, std::string body) {
  simple_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

simple_response error_response(const api_error& err) {
  auto res = json_response(err.status, error_body(err));
  if (err.retry_after_s > 0)
    res.headers.emplace_back("Retry-After", std::to_string(err.retry_after_s));
  return res;
}

simple_response no_content() {
  simple_response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

} // namespace agenttheo
