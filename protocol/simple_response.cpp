#include "protocol/simple_response.hpp"

namespace agenttheo {

simple_response json_response(std::uint16_t status, std::string body) {
  simple_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

simple_response error_response(const api_error& err) {
  return json_response(err.status, error_body(err));
}

simple_response no_content() {
  simple_response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

} // namespace agenttheo
