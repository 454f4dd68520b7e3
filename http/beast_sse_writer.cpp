#include <array>
#include <charconv>
#include <sstream>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "config/log.hpp"
#include "http/beast.hpp"
#include "http/gzip_stream.hpp"
#include "http/send_at_once.hpp"
#include "http/strand_sink.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/connection_registry.hpp"
#include "protocol/send_budget.hpp"

namespace agenttheo::http {

namespace {

/// Writes up to this size go as one copied buffer (`write_flat`); larger
/// ones (screenshots) are gathered from their frames where they lie.
constexpr std::size_t flat_write_limit = 4096;

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

/// Where a response is. A write in flight is apart from this (`writing_`).
enum class sse_phase {
  /// Nothing sent yet: the session has not accepted or rejected the stream.
  waiting,
  /// The head went out (or goes with the next write); frames follow.
  streaming,
  /// A complete error response goes out, then the socket closes.
  rejecting,
  /// What is queued goes out, then the terminating chunk.
  finishing,
  /// The last write is in flight; the socket closes after it.
  ending,
  closed,
};

class beast_sse_writer final
  : public strand_sink<beast_sse_writer, sse_writer>,
    public std::enable_shared_from_this<beast_sse_writer> {
  friend class strand_sink<beast_sse_writer, sse_writer>;

public:
  beast_sse_writer(beast::tcp_stream stream, unsigned version,
                   sse_writer_options options, connection_registry& registry)
      : stream_(std::move(stream)), strand_(strand_of(stream_.get_executor())),
        heartbeat_timer_(stream_.get_executor()),
        finish_timer_(stream_.get_executor()), version_(version),
        options_(options), registry_(registry),
        budget_(options.queue_limit, *stats_) {
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
      // For writes that go at once (`start_write`); asio's own
      // asynchronous operations work the same either way.
      beast::error_code ignored;
      self.stream_.socket().non_blocking(true, ignored);
      self.watch_for_close();
    });
  }

  std::size_t queue_limit() const override {
    return options_.queue_limit;
  }

  void accept(std::string cors_origin) override {
    on_strand([cors = std::move(cors_origin)](beast_sse_writer& self) {
      if (self.phase_ != sse_phase::waiting)
        return;
      self.phase_ = sse_phase::streaming;
      self.head_ = stream_head(self.version_, cors, self.options_.gzip);
      if (self.options_.gzip)
        self.gzip_ = std::make_unique<gzip_stream>();
      self.arm_heartbeat();
      // The session's events through the sink ended the stream already.
      if (self.finish_on_accept_)
        return self.start_finishing();
      self.write_next();
    });
  }

  void reject(simple_response response) override {
    on_strand([response = std::move(response)](beast_sse_writer& self) {
      if (self.phase_ != sse_phase::waiting)
        return;
      self.phase_ = sse_phase::rejecting;
      std::ostringstream out;
      out << to_beast(response, self.version_, false);
      self.head_ = out.str();
      self.write_next();
    });
  }

  void send(frame_ptr frame) override {
    after_session_events([frame = std::move(frame)](beast_sse_writer& self) {
      if (self.following_ended_)
        return;
      self.enqueue(frame);
      self.write_next();
    });
  }

  void send(std::vector<frame_ptr> frames) override {
    after_session_events([frames = std::move(frames)](beast_sse_writer& self) {
      if (self.following_ended_)
        return;
      for (const auto& frame : frames)
        self.enqueue(frame);
      self.write_next();
    });
  }

  void finish() override {
    after_session_events([](beast_sse_writer& self) {
      if (self.phase_ == sse_phase::waiting)
        return self.close(close_reason::finished);
      self.start_finishing();
    });
  }

  void force_closed() override {
    close(close_reason::server_stopping);
  }

private:
  // What strand_sink asks of us.
  const socket_strand& strand() const {
    return strand_;
  }
  net::io_context& context() const {
    return io_context_of(strand_);
  }
  unsigned lanes_wanted() const {
    return options_.lanes;
  }

  void warm_beyond() const {
    warm_lines(&stream_.socket());
    warm_lines(stats_.get(), sizeof(actor_stats));
  }

  /// A replay or a notice: queued as they are, and written. The stream
  /// finishes after the subscription's last event, or after `final`.
  void take(const std::vector<event_ptr>& events, bool final) {
    if (following_ended_ || phase_ == sse_phase::closed)
      return;
    auto enqueue_frame
      = [this](const event_ptr& ev) { enqueue(sse_bytes(ev)); };
    queued_through(each_taken(events, enqueue_frame) || final);
  }

  /// A round: what the filter follows, timed, written at once when the
  /// socket is idle, else queued.
  void take_round(const sink_round& round) {
    if (following_ended_ || phase_ == sse_phase::closed)
      return;
    if (can_write_at_once())
      return write_round_at_once(round);
    auto enqueue_frame
      = [this](const event_ptr& ev) { enqueue(sse_bytes(ev)); };
    queued_through(each_round_taken(round, enqueue_frame));
  }

  /// Events were queued: they are written, and after the subscription's
  /// `last` the stream finishes.
  void queued_through(bool last) {
    if (!last)
      return write_next();
    following_ended_ = true;
    if (phase_ == sse_phase::waiting)
      finish_on_accept_ = true;
    else
      start_finishing();
  }

  /// Nothing waits and nothing is in flight: a round can go straight from
  /// the events' own bytes to the socket.
  bool can_write_at_once() const {
    return phase_ == sse_phase::streaming && !writing_ && queued_.empty()
           && head_.empty() && !gzip_;
  }

  /// The common case of a round, written without queueing: the frames are
  /// gathered straight from the events, which the round (and the chain
  /// after it) keeps alive while this runs, so no writer takes a reference
  /// to an event unless the socket does not take the write at once. At
  /// 10,000 subscribers on two I/O threads those references were two
  /// atomic operations per event per subscriber on counters both threads
  /// touch.
  void write_round_at_once(const sink_round& round) {
    // Per thread, not per stream: they only live through this call.
    thread_local std::vector<const event_ptr*> taken;
    thread_local std::vector<net::const_buffer> buffers;
    taken.clear();
    std::size_t bytes = 0;
    auto last = each_round_taken(round, [&](const event_ptr& ev) {
      taken.push_back(&ev);
      bytes += ev->sse_frame.size();
    });
    if (!taken.empty()) {
      buffers.clear();
      add_chunk_head(buffers, bytes);
      for (const auto* ev : taken)
        buffers.push_back(net::buffer((*ev)->sse_frame));
      if (chunked())
        buffers.push_back(net::buffer(crlf.data(), crlf.size()));
      unqueued_events_ = taken.size();
      writing_round_ = true;
      start_write(buffers, [this] {
        // Going the asynchronous way: the write holds its frames as a
        // queued write does, and counts them so.
        for (const auto* ev : taken)
          in_flight_.push_back(sse_bytes(*ev));
        unqueued_events_ = 0;
      });
    }
    if (!last || phase_ == sse_phase::closed)
      return;
    following_ended_ = true;
    start_finishing();
  }

  /// What is queued goes out, then the terminating chunk; the socket closes
  /// after it, or when the grace is over.
  void start_finishing() {
    if (phase_ != sse_phase::streaming)
      return;
    phase_ = sse_phase::finishing;
    finish_timer_.expires_after(options_.finish_grace);
    finish_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->close(close_reason::write_failed);
    });
    write_next();
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
    if (phase_ == sse_phase::closed)
      return;
    auto bytes = frame->size();
    queued_.push_back(std::move(frame));
    if (budget_.add(bytes, queued_.size()) == send_status::dropped) {
      log(log_level::info, "dropping slow consumer: ", budget_.bytes(),
          " bytes queued, limit ", budget_.limit());
      budget_.count_drop(counter::slow_consumer_drops);
      close(close_reason::slow_consumer);
    }
  }

  /// Starts one gather write with everything queued: the response head if
  /// not sent yet, then all queued frames as one chunk.
  void write_next() {
    if (writing_ || phase_ == sse_phase::waiting || phase_ == sse_phase::closed)
      return;
    std::vector<net::const_buffer> buffers;
    if (!head_.empty())
      buffers.push_back(net::buffer(head_));
    if (!queued_.empty()) {
      in_flight_.swap(queued_);
      auto bytes = budget_.bytes();
      budget_.clear();
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
    } else if (phase_ == sse_phase::finishing) {
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
      phase_ = sse_phase::ending;
    } else if (phase_ == sse_phase::rejecting) {
      phase_ = sse_phase::ending;
    }
    if (buffers.empty()) {
      if (phase_ == sse_phase::ending)
        close(close_reason::finished);
      return;
    }
    // `in_flight_` holds what the buffers point to.
    start_write(buffers, [] {});
  }

  /// Starts the write of `buffers`. Most writes fit in the socket's send
  /// buffer: they go now, in one non-blocking send, without an
  /// asynchronous operation and the completion it posts back through the
  /// strand (half the I/O thread's work per event at 1,000 subscribers).
  /// What does not fit goes the asynchronous way, after `keep()` made sure
  /// what the buffers point to outlives this call.
  template <class Keep>
  void start_write(const std::vector<net::const_buffer>& buffers, Keep keep) {
    writing_ = true;
    wrote_since_tick_ = true;
    auto total = net::buffer_size(buffers);
    budget_.writing(total);
    // A socket in blocking mode would wait here: then all goes async.
    if (!stream_.socket().non_blocking()) {
      keep();
      return write_rest(buffers, 0);
    }
    if (!buffers.empty() && total <= flat_write_limit)
      return write_flat(buffers, total);
    beast::error_code ec;
    auto sent = send_at_once(stream_.socket(), buffers, ec);
    if (ec || sent == total)
      return on_write(ec, sent);
    keep();
    write_rest(unsent(buffers, sent), sent);
  }

  /// A small write as one buffer, sent with `send`: its pieces (a chunk's
  /// size line, its frames, its end) copied together. `sendmsg` with an
  /// iovec per piece cost ~6% of the server's CPU at 1,000 subscribers
  /// (the kernel's import and copy of each iovec, against a memcpy of ~100
  /// bytes here). What the socket does not take now is copied out to wait
  /// for the asynchronous write.
  void
  write_flat(const std::vector<net::const_buffer>& buffers, std::size_t total) {
    thread_local std::string flat;
    auto whole = buffers.front();
    if (buffers.size() > 1) {
      flat.clear();
      for (const auto& piece : buffers)
        flat.append(static_cast<const char*>(piece.data()), piece.size());
      whole = net::buffer(flat);
    }
    beast::error_code ec;
    auto sent = send_at_once(stream_.socket(), whole, ec);
    if (ec || sent == total)
      return on_write(ec, sent);
    unsent_flat_.assign(static_cast<const char*>(whole.data()) + sent,
                        total - sent);
    write_rest({net::buffer(unsent_flat_)}, sent);
  }

  /// The asynchronous rest of a write whose first `sent` bytes went.
  void write_rest(std::vector<net::const_buffer> rest, std::size_t sent) {
    net::async_write(stream_, std::move(rest),
                     [self = shared_from_this(), sent](beast::error_code ec,
                                                       std::size_t written) {
                       self->on_write(ec, sent + written);
                     });
  }

  /// What is left of `buffers` after their first `sent` bytes.
  static std::vector<net::const_buffer>
  unsent(std::vector<net::const_buffer> buffers, std::size_t sent) {
    auto first = buffers.begin();
    while (sent > 0 && sent >= first->size())
      sent -= (first++)->size();
    buffers.erase(buffers.begin(), first);
    if (sent > 0)
      buffers.front() += sent;
    return buffers;
  }

  void add_chunk_head(std::vector<net::const_buffer>& buffers, std::size_t bytes) {
    if (!chunked())
      return;
    // to_chars, not snprintf: ~700 instructions a write (callgrind).
    char size_line[24];
    auto end
      = std::to_chars(size_line, size_line + sizeof(size_line) - 2, bytes, 16)
          .ptr;
    *end++ = '\r';
    *end++ = '\n';
    chunk_head_.assign(size_line, end);
    buffers.push_back(net::buffer(chunk_head_));
  }

  void on_write(beast::error_code ec, std::size_t written) {
    writing_ = false;
    auto of_round = std::exchange(writing_round_, false);
    budget_.written();
    head_.clear();
    count_written(written);
    in_flight_.clear();
    if (ec) {
      // A write fails when the peer reset or vanished: the client is gone,
      // which matters for `on_disconnect=cancel`.
      fail(ec, "sse write");
      return close(close_reason::client_closed);
    }
    if (phase_ == sse_phase::ending) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return close(close_reason::finished);
    }
    // A round's write carried nothing the actor handed over: whatever it
    // handed is written later, and reports then.
    if (queued_.empty() && phase_ == sse_phase::streaming && on_drained_
        && !of_round)
      return on_drained_();
    write_next();
  }

  /// What the write that just ended carried, heartbeats not counted.
  void count_written(std::size_t written) {
    std::uint64_t events = std::exchange(unqueued_events_, 0);
    for (auto& frame : in_flight_)
      events += frame != ping_frame;
    count_sent(*stats_, written, events);
  }

  void arm_heartbeat() {
    heartbeat_timer_.expires_after(options_.heartbeat);
    heartbeat_timer_.async_wait(
      [self = shared_from_this()](beast::error_code ec) {
        if (ec || self->phase_ == sse_phase::closed)
          return;
        if (!self->wrote_since_tick_ && !self->writing_
            && self->phase_ == sse_phase::streaming) {
          self->enqueue(ping_frame);
          self->write_next();
        }
        self->wrote_since_tick_ = false;
        self->arm_heartbeat();
      });
  }

  void close(close_reason reason) {
    if (phase_ == sse_phase::closed)
      return;
    phase_ = sse_phase::closed;
    heartbeat_timer_.cancel();
    finish_timer_.cancel();
    close_socket(stream_.socket());
    queued_.clear();
    budget_.clear();
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
  socket_strand strand_;
  net::steady_timer heartbeat_timer_;
  net::steady_timer finish_timer_;
  unsigned version_;
  sse_writer_options options_;
  connection_registry& registry_;
  send_budget budget_;
  close_handler on_closed_;
  drained_handler on_drained_;
  std::string head_;
  std::string chunk_head_;
  /// What a flat write left for the asynchronous one.
  std::string unsent_flat_;
  std::unique_ptr<gzip_stream> gzip_;
  std::string compressed_;
  std::vector<frame_ptr> queued_;
  std::vector<frame_ptr> in_flight_;
  /// Events the write in flight carries straight from a round, apart from
  /// `in_flight_` (write_round_at_once).
  std::uint64_t unqueued_events_ = 0;
  std::array<char, 512> scratch_{};
  sse_phase phase_ = sse_phase::waiting;
  /// The session's events ended the stream: nothing more is taken.
  bool following_ended_ = false;
  /// They ended it before the head went out: finish once it does.
  bool finish_on_accept_ = false;
  /// A write is in flight; what is sent meanwhile waits for the next.
  bool writing_ = false;
  /// ... and it is a round's, straight from the session's events.
  bool writing_round_ = false;
  /// Something was written since the last heartbeat tick (no ping due).
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
