#include "http/streamed_response.hpp"

#include <boost/beast/http/error.hpp>

#include "util/ascii.hpp"

namespace agenttheo::http {

namespace {
/// A provider's head is a few hundred bytes; curl allows 100 KiB.
constexpr std::uint32_t max_head_bytes = 100 * 1024;
} // namespace

streamed_response::streamed_response() {
  header_limit(max_head_bytes);
  // The caller bounds the answer (LLM_MAX_RESPONSE_BYTES) and says so.
  body_limit(boost::none);
  // Body bytes are parsed in the call that brought them, not the next.
  eager(true);
}

void streamed_response::parse(boost::beast::flat_buffer& buffer,
                              error_code& ec) {
  while (buffer.size() > 0 && !is_done()) {
    auto used = put(buffer.data(), ec);
    buffer.consume(used);
    // Wanting more, the parser may still have taken a chunk's bytes.
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0)
      return;
  }
}

bool streamed_response::end_of_stream() {
  // Beast's parser takes an end only after some bytes.
  if (!got_some())
    return false;
  error_code ec;
  put_eof(ec);
  return !ec && is_done();
}

void streamed_response::on_field_impl(boost::beast::http::field,
                                      string_view name, string_view value,
                                      error_code&) {
  if (iequals(std::string_view{name.data(), name.size()}, "retry-after"))
    retry_after_.assign(value.data(), value.size());
}

std::size_t streamed_response::on_body_impl(string_view body, error_code&) {
  body_.append(body.data(), body.size());
  body_bytes_ += body.size();
  return body.size();
}

} // namespace agenttheo::http
