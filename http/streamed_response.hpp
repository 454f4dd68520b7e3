#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace agenttheo::http {

/// A response parsed as it streams in: Beast's HTTP/1 parser, keeping what
/// a provider's answer needs (status, `Retry-After`) and handing over the
/// body's bytes as they come, de-chunked, with no message built around them.
class streamed_response final : public boost::beast::http::basic_parser<false> {
public:
  streamed_response();

  long status() const {
    return status_;
  }

  const std::string& retry_after() const {
    return retry_after_;
  }

  /// Parses what `buffer` holds, consuming what the parser took, until it
  /// needs more bytes (not an error: `ec` stays clear), the message ends,
  /// or `ec` says what is wrong with it.
  void parse(boost::beast::flat_buffer& buffer, boost::beast::error_code& ec);

  /// The connection ended: whether that completes the message (a body
  /// read to its end); false when it cuts one short, or nothing came.
  bool end_of_stream();

  /// The body bytes parsed since `clear_body`, valid until the next parse.
  std::string_view body() const {
    return body_;
  }

  /// Forgets the body bytes read so far (keeping their room for the next).
  void clear_body() {
    body_.clear();
  }

  /// Body bytes parsed so far, in all.
  std::uint64_t body_bytes() const {
    return body_bytes_;
  }

private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    status_ = code;
  }
  void on_field_impl(boost::beast::http::field, string_view name,
                     string_view value, error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t
  on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  long status_ = 0;
  std::string retry_after_;
  std::string body_;
  std::uint64_t body_bytes_ = 0;
};

} // namespace agenttheo::http
