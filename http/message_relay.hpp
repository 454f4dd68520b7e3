#pragma once

#include <array>
#include <functional>
#include <memory>

#include "http/beast.hpp"

namespace agenttheo::http {

/// Carries one HTTP message whose header `parser` has read from `in` to
/// `out`: the (possibly edited) header, then the body a buffer at a time
/// as it arrives, re-framed by Beast's serializer — so a large upload or
/// an endless stream passes through in 16 KiB, and the message ends where
/// its framing says, never reading into the next one. Beast's relay
/// example, made asynchronous.
template <bool IsRequest>
class message_relay : public std::enable_shared_from_this<message_relay<IsRequest>> {
public:
  using parser_type = bhttp::parser<IsRequest, bhttp::buffer_body>;
  using done_handler = std::function<void(beast::error_code)>;

  message_relay(beast::tcp_stream& in, beast::flat_buffer& in_buffer,
                beast::tcp_stream& out, parser_type& parser,
                std::chrono::seconds idle_timeout, done_handler done)
    : in_(in),
      in_buffer_(in_buffer),
      out_(out),
      parser_(parser),
      serializer_(parser.get()),
      idle_timeout_(idle_timeout),
      done_(std::move(done)) {
  }

  void run() {
    out_.expires_after(idle_timeout_);
    bhttp::async_write_header(out_, serializer_,
                              [self = this->shared_from_this()](
                                beast::error_code ec, std::size_t) {
                                if (ec)
                                  return self->done_(ec);
                                self->next();
                              });
  }

private:
  void next() {
    auto& body = parser_.get().body();
    if (parser_.is_done()) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
      return write();
    }
    body.data = chunk_.data();
    body.size = chunk_.size();
    in_.expires_after(idle_timeout_);
    bhttp::async_read_some(in_, in_buffer_, parser_,
                           [self = this->shared_from_this()](
                             beast::error_code ec, std::size_t) {
                             self->on_read(ec);
                           });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer)
      ec = {};
    if (ec)
      return done_(ec);
    auto& body = parser_.get().body();
    body.size = chunk_.size() - body.size;
    body.data = chunk_.data();
    body.more = !parser_.is_done();
    // A read that parsed framing only (a chunk's size line, the last
    // chunk) gives no body. A chunked serializer handed an empty buffer
    // writes it as the empty last chunk: before the body (more to come:
    // read on) or twice (at the end: no buffer, as Beast's relay does).
    if (body.size == 0) {
      if (body.more)
        return next();
      body.data = nullptr;
    }
    write();
  }

  void write() {
    out_.expires_after(idle_timeout_);
    bhttp::async_write(out_, serializer_,
                       [self = this->shared_from_this()](beast::error_code ec,
                                                         std::size_t) {
                         if (ec == bhttp::error::need_buffer)
                           ec = {};
                         if (ec || self->serializer_.is_done())
                           return self->done_(ec);
                         self->next();
                       });
  }

  beast::tcp_stream& in_;
  beast::flat_buffer& in_buffer_;
  beast::tcp_stream& out_;
  parser_type& parser_;
  bhttp::serializer<IsRequest, bhttp::buffer_body> serializer_;
  std::chrono::seconds idle_timeout_;
  done_handler done_;
  std::array<char, 16 << 10> chunk_;
};

} // namespace agenttheo::http
