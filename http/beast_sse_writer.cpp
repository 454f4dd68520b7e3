#include <array>
#include <cstdio>
#include <sstream>

#include <boost/asio/steady_timer.hpp>

#include "config/log.hpp"
#include "http/beast.hpp"
#include "http/gzip_stream.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/connection_registry.hpp"

namespace agenttheo::http {

namespace {

const frame_ptr ping_frame = std::make_shared<const std::string>(": ping\n\n");

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view last_chunk = "0\r\n\r\n";

std::string stream_head(unsigned version, const std::string& cors_origin,
                        bool gzip) {
  std::string head = version >= 11 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.0 200 OK\r\n";
  head += "Content-Type: text/event-stream; charset=utf-8\r\n"
          "Cache-Control: no-cache\r\n"
          "X-Accel-Buffering: no\r\n"
          "Connection: close\r\n";
  if (version >= 11)
    head += "Transfer-Encoding: chunked\r\n";
  if (gzip)
    head += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  if (!cors_origin.empty()) {
    head += "Access-Control-Allow-Origin: " + cors_origin + "\r\n";
    head += "Vary: Origin\r\n";
  }
  head += "\r\n";
  return head;
}

class beast_sse_writer final
  : public sse_writer,
    public std::enable_shared_from_this<beast_sse_writer> {
public:
  beast_sse_writer(beast::tcp_stream stream, unsigned version,
                   sse_writer_options options, connection_registry& registry)
    : stream_(std::move(stream)),
      heartbeat_timer_(stream_.get_executor()),
      finish_timer_(stream_.get_executor()),
      version_(version),
      options_(options),
      registry_(registry) {
    // A stream lives as long as its run; the send-queue bound, heartbeats
    // and the finish grace take the place of a blanket timeout.
    stream_.expires_never();
  }

  void start(close_handler on_closed, drained_handler on_drained) override {
    registry_.add(shared_from_this());
    on_strand([on_closed = std::move(on_closed),
               on_drained = std::move(on_drained)](beast_sse_writer& self) mutable {
      self.on_closed_ = std::move(on_closed);
      self.on_drained_ = std::move(on_drained);
      self.watch_for_close();
    });
  }

  std::size_t queue_limit() const override {
    return options_.queue_limit;
  }

  void accept(std::string cors_origin) override {
    on_strand([cors = std::move(cors_origin)](beast_sse_writer& self) {
      if (self.closed_ || self.responded_)
        return;
      self.responded_ = true;
      self.head_ = stream_head(self.version_, cors, self.options_.gzip);
      if (self.options_.gzip)
        self.gzip_ = std::make_unique<gzip_stream>();
      self.arm_heartbeat();
      self.write_next();
    });
  }

  void reject(simple_response response) override {
    on_strand([response = std::move(response)](beast_sse_writer& self) {
      if (self.closed_ || self.responded_)
        return;
      self.responded_ = true;
      self.rejected_ = true;
      self.finishing_ = true;
      std::ostringstream out;
      out << to_beast(response, self.version_, false);
      self.head_ = out.str();
      self.write_next();
    });
  }

  void send(frame_ptr frame) override {
    on_strand([frame = std::move(frame)](beast_sse_writer& self) mutable {
      self.enqueue(std::move(frame));
      self.write_next();
    });
  }

  void send(std::vector<frame_ptr> frames) override {
    on_strand([frames = std::move(frames)](beast_sse_writer& self) mutable {
      for (auto& frame : frames)
        self.enqueue(std::move(frame));
      self.write_next();
    });
  }

  void finish() override {
    on_strand([](beast_sse_writer& self) {
      if (self.closed_ || self.finishing_)
        return;
      if (!self.responded_)
        return self.close(close_reason::finished);
      self.finishing_ = true;
      self.finish_timer_.expires_after(self.options_.finish_grace);
      self.finish_timer_.async_wait(
        [self = self.shared_from_this()](beast::error_code ec) {
          if (!ec)
            self->close(close_reason::write_failed);
        });
      self.write_next();
    });
  }

  void force_closed() override {
    close(close_reason::server_stopping);
  }

private:
  template <class F>
  void on_strand(F f) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), f = std::move(f)]() mutable {
                f(*self);
              });
  }

  /// SSE clients send nothing after their request; a read that completes
  /// with an error is how we learn the client went away.
  void watch_for_close() {
    stream_.socket().async_read_some(
      net::buffer(scratch_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec)
          return self->close(close_reason::client_closed);
        self->watch_for_close();
      });
  }

  void enqueue(frame_ptr frame) {
    if (closed_)
      return;
    queued_bytes_ += frame->size();
    queued_.push_back(std::move(frame));
    stats_->queued_bytes.store(queued_bytes_, std::memory_order_relaxed);
    // One frame of any size may always wait (it is bounded by the event
    // log); what may not grow past the limit is a backlog of them.
    if (queued_bytes_ > options_.queue_limit && queued_.size() > 1) {
      log(log_level::info, "dropping slow consumer: ", queued_bytes_,
          " bytes queued, limit ", options_.queue_limit);
      stats_->drops.fetch_add(1, std::memory_order_relaxed);
      count(counter::slow_consumer_drops);
      close(close_reason::slow_consumer);
    }
  }

  /// Starts one gather write with everything queued: the response head if
  /// not sent yet, then all queued frames as one chunk.
  void write_next() {
    if (closed_ || writing_ || !responded_)
      return;
    std::vector<net::const_buffer> buffers;
    if (!head_.empty())
      buffers.push_back(net::buffer(head_));
    if (!queued_.empty()) {
      in_flight_.swap(queued_);
      auto bytes = queued_bytes_;
      queued_bytes_ = 0;
      stats_->queued_bytes.store(0, std::memory_order_relaxed);
      if (gzip_) {
        compressed_.clear();
        for (auto& frame : in_flight_)
          gzip_->write(*frame, compressed_);
        gzip_->flush(compressed_);
        bytes = compressed_.size();
      }
      add_chunk_head(buffers, bytes);
      if (gzip_)
        buffers.push_back(net::buffer(compressed_));
      else
        for (auto& frame : in_flight_)
          buffers.push_back(net::buffer(*frame));
      if (chunked())
        buffers.push_back(net::buffer(crlf.data(), crlf.size()));
    } else if (finishing_ && !rejected_) {
      if (gzip_) { // the gzip trailer, as the last data chunk
        compressed_ = gzip_->finish();
        gzip_.reset();
        add_chunk_head(buffers, compressed_.size());
        buffers.push_back(net::buffer(compressed_));
        if (chunked())
          buffers.push_back(net::buffer(crlf.data(), crlf.size()));
      }
      if (chunked())
        buffers.push_back(net::buffer(last_chunk.data(), last_chunk.size()));
      ending_ = true;
    } else if (finishing_) {
      ending_ = true;
    }
    if (buffers.empty()) {
      if (ending_)
        close(close_reason::finished);
      return;
    }
    writing_ = true;
    wrote_since_tick_ = true;
    net::async_write(stream_, buffers,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t written) {
                       self->on_write(ec, written);
                     });
  }

  void add_chunk_head(std::vector<net::const_buffer>& buffers, std::size_t bytes) {
    if (!chunked())
      return;
    char size_line[24];
    auto n = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", bytes);
    chunk_head_.assign(size_line, static_cast<std::size_t>(n));
    buffers.push_back(net::buffer(chunk_head_));
  }

  void on_write(beast::error_code ec, std::size_t written) {
    writing_ = false;
    head_.clear();
    count_sent(written);
    in_flight_.clear();
    if (ec) {
      // A write fails when the peer reset or vanished: the client is gone,
      // which matters for `on_disconnect=cancel`.
      fail(ec, "sse write");
      return close(close_reason::client_closed);
    }
    if (ending_) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return close(close_reason::finished);
    }
    if (queued_.empty() && !finishing_ && on_drained_)
      return on_drained_();
    write_next();
  }

  /// What the write that just ended carried, heartbeats not counted.
  void count_sent(std::size_t written) {
    std::uint64_t events = 0;
    for (auto& frame : in_flight_)
      events += frame != ping_frame;
    stats_->bytes_sent.fetch_add(written, std::memory_order_relaxed);
    stats_->events_sent.fetch_add(events, std::memory_order_relaxed);
    count(counter::bytes_sent, written);
    count(counter::events_sent, events);
  }

  void arm_heartbeat() {
    heartbeat_timer_.expires_after(options_.heartbeat);
    heartbeat_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_)
        return;
      if (!self->wrote_since_tick_ && !self->writing_ && !self->finishing_) {
        self->enqueue(ping_frame);
        self->write_next();
      }
      self->wrote_since_tick_ = false;
      self->arm_heartbeat();
    });
  }

  void close(close_reason reason) {
    if (closed_)
      return;
    closed_ = true;
    heartbeat_timer_.cancel();
    finish_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    queued_.clear();
    queued_bytes_ = 0;
    registry_.remove(this);
    on_drained_ = nullptr;
    auto handler = std::move(on_closed_);
    on_closed_ = nullptr;
    if (handler)
      handler(reason);
  }

  bool chunked() const {
    return version_ >= 11;
  }

  beast::tcp_stream stream_;
  net::steady_timer heartbeat_timer_;
  net::steady_timer finish_timer_;
  unsigned version_;
  sse_writer_options options_;
  connection_registry& registry_;
  close_handler on_closed_;
  drained_handler on_drained_;
  std::string head_;
  std::string chunk_head_;
  std::unique_ptr<gzip_stream> gzip_;
  std::string compressed_;
  std::vector<frame_ptr> queued_;
  std::vector<frame_ptr> in_flight_;
  std::size_t queued_bytes_ = 0;
  std::array<char, 512> scratch_{};
  bool responded_ = false;
  bool rejected_ = false;
  bool writing_ = false;
  bool finishing_ = false;
  bool ending_ = false;
  bool closed_ = false;
  bool wrote_since_tick_ = false;
};

} // namespace

std::shared_ptr<sse_writer> make_sse_writer(beast::tcp_stream stream,
                                            unsigned http_version,
                                            sse_writer_options options,
                                            connection_registry& registry) {
  return std::make_shared<beast_sse_writer>(std::move(stream), http_version,
                                            options, registry);
}

} // namespace agenttheo::http
