#pragma once

// The layer under Beast's websocket::stream that lets several WebSocket
// messages share one socket write. Beast frames and writes one message per
// call and waits for it; with this under it, a message written while the
// writer `hold`s (more follow at once) or while the socket is still busy
// with an earlier write is copied aside and reported written at once, and
// everything set aside goes out in one socket write. Every byte of the
// socket passes through it: Beast's own writes (the handshake's answer,
// pongs, the close frame) and the frames the writer builds itself
// (ws_text_frame.hpp) alike, each write whole, so none is interleaved with
// another and nothing overtakes anything.
//
// Included only by beast_ws_writer.cpp: it brings in Beast.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "http/send_at_once.hpp"

namespace agenttheo::http {

namespace beast = boost::beast;
namespace net = boost::asio;

/// A move-only `void(error_code)` call: what waits for the socket (a write
/// past the bound, a teardown) while a write is in flight.
class deferred_call {
public:
  deferred_call() = default;

  template <class F>
  explicit deferred_call(F f) : impl_(std::make_unique<holder<F>>(std::move(f))) {}

  explicit operator bool() const noexcept {
    return impl_ != nullptr;
  }

  void operator()(beast::error_code ec) {
    auto impl = std::move(impl_);
    impl->call(ec);
  }

private:
  struct base {
    virtual ~base() = default;
    virtual void call(beast::error_code ec) = 0;
  };
  template <class F>
  struct holder final : base {
    explicit holder(F f) : f(std::move(f)) {}
    void call(beast::error_code ec) override {
      f(ec);
    }
    F f;
  };
  std::unique_ptr<base> impl_;
};

class coalescing_stream {
public:
  using executor_type = beast::tcp_stream::executor_type;

  /// `limit`: bytes set aside past which a write waits for the socket, so a
  /// slow reader still holds its writer back (and its send budget counts).
  coalescing_stream(beast::tcp_stream stream, std::size_t limit)
      : next_(std::move(stream)), state_(std::make_shared<state>()) {
    state_->socket = &next_.socket();
    state_->limit = limit;
  }

  coalescing_stream(coalescing_stream&&) = delete;

  ~coalescing_stream() {
    // A completion already queued must not touch the socket that goes now.
    state_->socket = nullptr;
  }

  executor_type get_executor() noexcept {
    return next_.get_executor();
  }

  beast::tcp_stream& next_layer() noexcept {
    return next_;
  }

  const beast::tcp_stream& next_layer() const noexcept {
    return next_;
  }

  /// Said before each write: while held, writes are set aside (up to the
  /// bound) instead of starting a socket write, since the writer has more
  /// messages to frame at once. The first write not held sends everything
  /// set aside with it.
  void hold(bool more_follow) noexcept {
    state_->held = more_follow;
  }

  /// Socket writes started so far: how many messages shared one shows in
  /// the tests.
  std::size_t socket_writes() const noexcept {
    return state_->socket_writes;
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(beast::error_code, std::size_t)>(
      [this](auto handler, const ConstBuffers& buffers) {
        write(buffers, std::move(handler));
      },
      token, buffers);
  }

  /// `bytes` (whole frames) written at once, without an asynchronous
  /// operation, when nothing of ours is on the wire or set aside: what the
  /// socket took, all of it unless its send buffer filled (the rest is the
  /// caller's to write the usual way). 0 while a write is in flight, or
  /// with the socket in blocking mode.
  std::size_t write_now(net::const_buffer bytes, beast::error_code& ec) {
    auto& st = *state_;
    if (st.writing || !st.pending.empty() || st.error || !st.socket
        || !st.socket->non_blocking())
      return 0;
    ++st.socket_writes;
    return send_at_once(*st.socket, bytes, ec);
  }

  /// Runs `then` once everything set aside has reached the socket (or the
  /// socket failed): a teardown must not cut off the close frame.
  void when_flushed(deferred_call then) {
    auto& st = *state_;
    st.held = false;
    if (!st.writing && !st.error && !st.pending.empty())
      flush(state_);
    if (!st.writing)
      return post(std::move(then), state_->error);
    state_->after_flush = std::move(then);
  }

private:
  struct state {
    net::ip::tcp::socket* socket = nullptr;
    std::size_t limit = 0;
    /// Bytes set aside while `sending` is on the wire.
    std::string pending;
    std::string sending;
    bool writing = false;
    bool held = false;
    std::size_t socket_writes = 0;
    beast::error_code error;
    /// A write past `limit`, reported written when the socket takes it.
    deferred_call blocked;
    deferred_call after_flush;
  };

  template <class ConstBuffers, class Handler>
  void write(const ConstBuffers& buffers, Handler handler) {
    auto size = net::buffer_size(buffers);
    auto& st = *state_;
    if (st.error)
      return complete_soon(std::move(handler), st.error, 0);
    st.pending.reserve(st.pending.size() + size);
    for (auto b : beast::buffers_range_ref(buffers))
      st.pending.append(static_cast<const char*>(b.data()), b.size());
    if (!st.writing && (!st.held || st.pending.size() > st.limit))
      flush(state_);
    if (st.pending.size() <= st.limit)
      return complete_soon(std::move(handler), {}, size);
    st.blocked = deferred_call{
      [handler = std::move(handler), size](beast::error_code ec) mutable {
        std::move(handler)(ec, ec ? 0 : size);
      }};
  }

  /// Never from inside the initiating call, and on the handler's executor.
  template <class Handler>
  void complete_soon(Handler handler, beast::error_code ec, std::size_t size) {
    auto ex = net::get_associated_executor(handler, get_executor());
    net::post(ex, [handler = std::move(handler), ec, size]() mutable {
      std::move(handler)(ec, size);
    });
  }

  void post(deferred_call call, beast::error_code ec) {
    net::post(next_.get_executor(),
              [call = std::move(call), ec]() mutable { call(ec); });
  }

  /// Puts everything set aside on the wire, as one write.
  static void flush(const std::shared_ptr<state>& self) {
    auto& st = *self;
    st.sending.clear();
    st.sending.swap(st.pending);
    st.writing = true;
    ++st.socket_writes;
    net::async_write(*st.socket, net::buffer(st.sending),
                     [self](beast::error_code ec, std::size_t) {
                       on_flushed(self, ec);
                     });
  }

  static void on_flushed(const std::shared_ptr<state>& self, beast::error_code ec) {
    auto& st = *self;
    st.writing = false;
    if (!st.socket && !ec)
      ec = net::error::operation_aborted;
    if (ec) {
      st.error = ec;
      st.pending.clear();
    } else if (!st.pending.empty()
               && (!st.held || st.pending.size() > st.limit)) {
      flush(self);
    }
    release_buffers(st);
    if (st.blocked && (ec || st.pending.size() <= st.limit))
      st.blocked(ec);
    if (!st.writing && st.after_flush)
      st.after_flush(st.error);
  }

  /// A burst's buffers go with it: an idle socket keeps no big buffer.
  static void release_buffers(state& st) {
    constexpr std::size_t keep = 4096;
    if (!st.writing && st.sending.capacity() > keep)
      std::string{}.swap(st.sending);
    if (st.pending.empty() && st.pending.capacity() > keep)
      std::string{}.swap(st.pending);
  }

  beast::tcp_stream next_;
  std::shared_ptr<state> state_;
};

// Beast's close handshake ends with a teardown of the layer below; ours
// first lets the close frame out.

inline void teardown(beast::role_type role, coalescing_stream& stream,
                     beast::error_code& ec) {
  beast::websocket::teardown(role, stream.next_layer().socket(), ec);
}

template <class TeardownHandler>
void async_teardown(beast::role_type role, coalescing_stream& stream,
                    TeardownHandler&& handler) {
  stream.when_flushed(deferred_call{
    [role, &stream, handler = std::forward<TeardownHandler>(handler)](
      beast::error_code) mutable {
      beast::websocket::async_teardown(role, stream.next_layer().socket(),
                                       std::move(handler));
    }});
}

} // namespace agenttheo::http
