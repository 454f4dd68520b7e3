#include "protocol/simple_response.hpp"

#include "util/json_writer.hpp"

namespace agenttheo {

std::string error_body(const http_error& err) {
  json_writer out;
  out.begin_object()
    .key("error")
    .begin_object()
    .field("status", static_cast<unsigned>(err.status))
    .field("code", err.code)
    .field("message", err.message)
    .end_object()
    .end_object();
  return out.str();
}

simple_response json_response(std::uint16_t status, std::string body) {
  simple_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

simple_response error_response(const http_error& err) {
  return json_response(err.status, error_body(err));
}

simple_response no_content() {
  simple_response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

} // namespace agenttheo
