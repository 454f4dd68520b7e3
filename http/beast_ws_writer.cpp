#include <deque>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket.hpp>

#include "config/log.hpp"
#include "http/beast.hpp"
#include "http/coalescing_stream.hpp"
#include "http/strand_sink.hpp"
#include "http/ws_text_frame.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/connection_registry.hpp"
#include "protocol/send_budget.hpp"
#include "protocol/ws_writer.hpp"

namespace agenttheo::http {

namespace {

namespace websocket = boost::beast::websocket;

/// Bytes of later messages that may wait beside a socket write in flight
/// before the writer waits too (coalescing_stream): a few hundred tokens.
constexpr std::size_t coalesce_limit = 16 * 1024;

/// Where a WebSocket is. A write in flight is apart from this (`writing_`).
enum class ws_phase {
  /// The upgrade is being answered.
  handshake,
  open,
  /// A close was asked for: what is queued goes out, then the close frame.
  closing,
  /// The close frame is on its way; the socket goes once it is written.
  close_sent,
  closed,
};

class beast_ws_sink;

class beast_ws_writer final
  : public ws_writer,
    public std::enable_shared_from_this<beast_ws_writer> {
  friend class beast_ws_sink;

public:
  beast_ws_writer(beast::tcp_stream stream,
                  bhttp::request<bhttp::string_body> upgrade,
                  ws_writer_options options, connection_registry& registry)
      : ws_(std::move(stream), coalesce_limit),
        strand_(strand_of(ws_.get_executor())), upgrade_(std::move(upgrade)),
        finish_timer_(ws_.get_executor()), options_(options),
        registry_(registry), budget_(options.queue_limit, *stats_) {
    // The websocket stream has its own timeouts; the TCP one must be off.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::seconds{30};
    timeouts.idle_timeout = options_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(options_.max_message);
    websocket::permessage_deflate deflate;
    deflate.server_enable = options_.deflate;
    deflate.msg_size_threshold = options_.deflate_threshold;
    // Smaller windows than zlib's default (15 bits, memLevel 8): a socket
    // with deflate then costs ~28 KiB more than one without, not ~122 KiB,
    // and event streams, which repeat their envelopes within a few
    // messages, compress 8% worse.
    deflate.server_max_window_bits = 11;
    deflate.client_max_window_bits = 11;
    deflate.memLevel = 3;
    ws_.set_option(deflate);
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) {
        res.set(bhttp::field::server, "agenttheo");
      }));
  }

  void start(message_handler on_message, close_handler on_closed) override {
    registry_.add(shared_from_this());
    on_strand([on_message = std::move(on_message),
               on_closed = std::move(on_closed)](beast_ws_writer& self) mutable {
      self.on_message_ = std::move(on_message);
      self.on_closed_ = std::move(on_closed);
      self.ws_.async_accept(self.upgrade_,
                            [self = self.shared_from_this()](beast::error_code ec) {
                              self->on_accept(ec);
                            });
    });
  }

  void send(ws_message message) override {
    send(std::move(message), {});
  }

  void send(ws_message message, std::function<void()> on_written) override {
    on_strand([message = std::move(message),
               on_written = std::move(on_written)](beast_ws_writer& self) mutable {
      self.enqueue(std::move(message));
      self.end_batch(std::move(on_written));
      self.write_next();
    });
  }

  void send(std::vector<ws_message> messages) override {
    send(std::move(messages), {});
  }

  void send(std::vector<ws_message> messages,
            std::function<void()> on_written) override {
    on_strand([messages = std::move(messages),
               on_written = std::move(on_written)](beast_ws_writer& self) mutable {
      for (auto& msg : messages)
        self.enqueue(std::move(msg));
      self.end_batch(std::move(on_written));
      self.write_next();
    });
  }

  std::size_t queue_limit() const override {
    return options_.queue_limit;
  }

  void send_frame(frame_ptr frame, std::string key) override {
    on_strand([frame = std::move(frame), key = std::move(key)](
                beast_ws_writer& self) mutable {
      self.enqueue_frame(std::move(frame), std::move(key));
      self.write_next();
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    on_strand([code, reason = std::move(reason)](beast_ws_writer& self) {
      if (self.phase_ != ws_phase::handshake && self.phase_ != ws_phase::open)
        return;
      auto accepted = self.phase_ == ws_phase::open;
      self.phase_ = ws_phase::closing;
      self.close_code_ = code;
      self.close_text_ = reason;
      self.finish_timer_.expires_after(self.options_.finish_grace);
      self.finish_timer_.async_wait(
        [self = self.shared_from_this()](beast::error_code ec) {
          if (!ec)
            self->teardown(close_reason::write_failed);
        });
      if (!accepted)
        return self.teardown(close_reason::finished);
      self.write_next();
    });
  }

  void going_away() override {
    close(ws_close::going_away, "the server is shutting down");
  }

  std::shared_ptr<subscription_sink>
  make_subscription_sink(std::shared_ptr<actor_stats> stats,
                         std::function<void()> on_last) override;

  void force_closed() override {
    teardown(close_reason::server_stopping);
  }

private:
  struct queued {
    ws_message msg;
    std::string frame_key; // non-empty for droppable screencast frames
    std::function<void()> on_written; // the end of a subscription's batch
  };

  template <class F>
  void on_strand(F f) {
    post_to(ws_.get_executor(), shared_from_this(), std::move(f));
  }

  void on_accept(beast::error_code ec) {
    if (ec) {
      fail(ec, "ws accept");
      return teardown(close_reason::client_closed);
    }
    if (phase_ != ws_phase::handshake)
      return; // closed while the handshake went on
    phase_ = ws_phase::open;
    upgrade_ = {};
    // For the frames written at once (`write_frames`); asio's and Beast's
    // asynchronous operations work the same either way.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().non_blocking(true, ignored);
    do_read();
    write_next();
  }

  void do_read() {
    ws_.async_read(read_buffer_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->on_read(ec);
                   });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      // Beast has already answered an oversized message with 1009 and
      // invalid UTF-8 with 1007; any other error is the client going away.
      if (ec != websocket::error::closed)
        fail(ec, "ws read");
      return teardown(close_reason::client_closed);
    }
    if (!ws_.got_text()) {
      read_buffer_.consume(read_buffer_.size());
      return close_with(ws_close::unsupported_data,
                        "binary messages are not accepted; send JSON text");
    }
    auto text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (on_message_)
      on_message_(std::move(text));
    do_read();
  }

  void close_with(std::uint16_t code, std::string reason) {
    if (phase_ != ws_phase::open)
      return;
    phase_ = ws_phase::closing;
    close_code_ = code;
    close_text_ = std::move(reason);
    write_next();
  }

  /// `on_written` runs when the last message queued so far is written.
  void end_batch(std::function<void()> on_written) {
    if (on_written && !queue_.empty())
      queue_.back().on_written = std::move(on_written);
  }

  /// Sends are taken until a close is asked for.
  bool taking() const {
    return phase_ == ws_phase::handshake || phase_ == ws_phase::open;
  }

  void enqueue(ws_message msg) {
    if (!taking())
      return;
    auto bytes = msg.bytes->size();
    queue_.push_back({std::move(msg), {}, {}});
    if (budget_.add(bytes, queue_.size()) == send_status::dropped) {
      log(log_level::info,
          "dropping slow WebSocket consumer: ", budget_.bytes(),
          " bytes queued, limit ", budget_.limit());
      budget_.count_drop(counter::slow_consumer_drops);
      teardown(close_reason::slow_consumer);
    }
  }

  void enqueue_frame(frame_ptr frame, std::string key) {
    if (!taking())
      return;
    for (auto& waiting : queue_)
      if (waiting.frame_key == key) { // drop the older frame, keep its place
        waiting.msg.bytes = std::move(frame);
        drop_frame();
        return;
      }
    if (budget_.would_exceed(frame->size())) {
      drop_frame();
      return;
    }
    queue_.push_back({{std::move(frame), true}, std::move(key), {}});
  }

  void drop_frame() {
    ++frames_dropped_;
    budget_.count_drop(counter::frames_dropped);
  }

  void write_next() {
    if (writing_ || phase_ == ws_phase::handshake || phase_ == ws_phase::closed)
      return;
    if (queue_.empty()) {
      if (phase_ == ws_phase::closing)
        start_close();
      return;
    }
    if (frames_itself(queue_.front()))
      return write_frames();
    auto& next = queue_.front();
    // Live-view frames never counted: they are dropped instead.
    if (next.frame_key.empty())
      budget_.take(next.msg.bytes->size());
    in_flight_.push_back(std::move(next));
    queue_.pop_front();
    writing_ = true;
    const auto& msg = in_flight_.front().msg;
    budget_.writing(msg.bytes->size());
    ws_.binary(msg.binary);
    // The messages queued behind this one share its socket write.
    ws_.next_layer().hold(!queue_.empty());
    ws_.async_write(net::buffer(*msg.bytes),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_written(ec);
                    });
  }

  /// A text message Beast would send as it is, uncompressed: too small
  /// for deflate (or deflate off), and not a live-view frame.
  bool frames_itself(const queued& q) const {
    return !q.msg.binary && q.frame_key.empty()
           && frames_text(q.msg.bytes->size());
  }

  /// Whether a text message of `size` bytes is framed here: too small for
  /// deflate, or deflate off.
  bool frames_text(std::size_t size) const {
    return !options_.deflate || size < options_.deflate_threshold;
  }

  /// The text messages queued in a row, framed here and handed to the
  /// layer under Beast in one write: Beast writes one message per call,
  /// each a trip through the io_context. The layer keeps these frames
  /// whole and in order with Beast's own (pongs, the close frame, the
  /// messages it writes), since every byte goes through it.
  void write_frames() {
    framed_.clear();
    while (!queue_.empty() && frames_itself(queue_.front())
           && framed_.size() < coalesce_limit) {
      auto& next = queue_.front();
      budget_.take(next.msg.bytes->size());
      append_text_frame(framed_, *next.msg.bytes);
      in_flight_.push_back(std::move(next));
      queue_.pop_front();
    }
    send_framed();
  }

  /// Writes `framed_`. Most go at once, in one non-blocking send, with no
  /// completion posted back through the strand; what the socket does not
  /// take goes after.
  void send_framed() {
    writing_ = true;
    budget_.writing(framed_.size());
    beast::error_code ec;
    auto sent = ws_.next_layer().write_now(net::buffer(framed_), ec);
    if (ec || sent == framed_.size())
      return on_written(ec);
    ws_.next_layer().hold(!queue_.empty());
    net::async_write(ws_.next_layer(), net::buffer(framed_) + sent,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_written(ec);
                     });
  }

  /// Nothing waits and nothing is in flight: a subscription's round can be
  /// framed straight from its events (`write_framed_now`).
  bool can_frame_at_once() const {
    return phase_ == ws_phase::open && !writing_ && queue_.empty();
  }

  /// `framed_` holds `events` text frames of `bytes` payload, framed by a
  /// subscription from its round: written as write_frames' are.
  void write_framed_now(std::uint64_t events, std::size_t bytes) {
    framed_events_ = events;
    framed_bytes_ = bytes;
    send_framed();
  }

  /// The write in flight ended, by Beast or by write_frames: its messages
  /// are counted (bytes before compression; an event unless a live-view
  /// frame) and their batches' callbacks run.
  void on_written(beast::error_code ec) {
    writing_ = false;
    budget_.written();
    auto written = std::exchange(in_flight_, {});
    // A burst's buffer goes with it: an idle socket keeps no big buffer.
    if (framed_.capacity() > 4096)
      std::string{}.swap(framed_);
    if (ec) {
      fail(ec, "ws write");
      return teardown(close_reason::client_closed);
    }
    if (framed_events_ > 0)
      count_sent(*stats_, std::exchange(framed_bytes_, 0),
                 std::exchange(framed_events_, 0));
    for (auto& q : written) {
      count_sent(*stats_, q.msg.bytes->size(), q.frame_key.empty() ? 1 : 0);
      if (q.on_written)
        q.on_written();
    }
    write_next();
  }

  void start_close() {
    phase_ = ws_phase::close_sent;
    writing_ = true;
    ws_.next_layer().hold(false);
    websocket::close_reason why{static_cast<websocket::close_code>(close_code_)};
    why.reason = close_text_;
    ws_.async_close(why,
                    [self = shared_from_this()](beast::error_code) {
                      self->writing_ = false;
                      self->teardown(close_reason::finished);
                    });
  }

  void teardown(close_reason reason) {
    if (phase_ == ws_phase::closed)
      return;
    phase_ = ws_phase::closed;
    finish_timer_.cancel();
    close_socket(beast::get_lowest_layer(ws_).socket());
    queue_.clear();
    budget_.clear();
    registry_.remove(this);
    if (frames_dropped_)
      log(log_level::debug, "WebSocket closed; screencast frames dropped: ",
          frames_dropped_);
    auto handler = std::move(on_closed_);
    on_closed_ = nullptr;
    on_message_ = nullptr;
    if (handler)
      handler(reason);
  }

  websocket::stream<coalescing_stream> ws_;
  socket_strand strand_;
  bhttp::request<bhttp::string_body> upgrade_;
  net::steady_timer finish_timer_;
  ws_writer_options options_;
  connection_registry& registry_;
  send_budget budget_;
  message_handler on_message_;
  close_handler on_closed_;
  beast::flat_buffer read_buffer_;
  std::deque<queued> queue_;
  /// The messages of the write in flight: one Beast wrote, or those
  /// write_frames framed into `framed_`.
  std::vector<queued> in_flight_;
  std::string framed_;
  /// What a round framed by `write_framed_now` carries: events, and their
  /// bytes before framing.
  std::uint64_t framed_events_ = 0;
  std::size_t framed_bytes_ = 0;
  std::size_t frames_dropped_ = 0;
  std::uint16_t close_code_ = ws_close::normal;
  std::string close_text_;
  ws_phase phase_ = ws_phase::handshake;
  /// A write (or the close frame) is in flight.
  bool writing_ = false;
};

/// One subscription's events from its session, on the socket it shares
/// with its siblings. Its state lives on the writer's strand.
class beast_ws_sink final
  : public strand_sink<beast_ws_sink, subscription_sink>,
    public std::enable_shared_from_this<beast_ws_sink> {
  friend class strand_sink<beast_ws_sink, subscription_sink>;

public:
  beast_ws_sink(std::shared_ptr<beast_ws_writer> writer,
                std::shared_ptr<actor_stats> stats, std::function<void()> on_last)
      : writer_(std::move(writer)), stats_(std::move(stats)),
        on_last_(std::move(on_last)) {}

  void accepted(ws_message reply) override {
    on_strand([reply = std::move(reply)](beast_ws_sink& self) mutable {
      auto& writer = *self.writer_;
      writer.enqueue(std::move(reply));
      self.accepted_ = true;
      for (auto& msg : std::exchange(self.held_, {}))
        writer.enqueue(std::move(msg));
      writer.write_next();
    });
  }

  void send_after_session(ws_message message) override {
    after_session_events([message](beast_ws_sink& self) {
      if (self.ended_)
        return;
      self.writer_->enqueue(message);
      self.writer_->write_next();
    });
  }

  void end() override {
    after_session_events([](beast_ws_sink& self) {
      self.ended_ = true;
      self.held_.clear();
    });
  }

private:
  // What strand_sink asks of us: the socket's, shared with its siblings.
  const socket_strand& strand() const {
    return writer_->strand_;
  }
  net::io_context& context() const {
    return io_context_of(writer_->strand_);
  }
  unsigned lanes_wanted() const {
    return writer_->options_.lanes;
  }

  void warm_beyond() const {
    warm_lines(writer_.get(), sizeof(beast_ws_writer));
    warm_lines(stats_.get(), sizeof(actor_stats));
  }

  /// A replay or a notice, as it is: queued on the socket, or held until
  /// the `subscribed` reply is. After the last event, the actor is told.
  void take(const std::vector<event_ptr>& events, bool final) {
    if (ended_)
      return;
    std::uint64_t taken = 0;
    auto ended
      = each_taken(events, [&](const event_ptr& ev) { queue(ev, taken); });
    took(taken, ended || final);
    if (accepted_)
      writer_->write_next();
  }

  /// A round: what the filter follows, timed; framed at once when the
  /// socket is idle, else queued as the rest.
  void take_round(const sink_round& round) {
    if (ended_)
      return;
    if (accepted_ && writer_->can_frame_at_once()
        && all_framed_here(round.events))
      return frame_round_at_once(round);
    std::uint64_t taken = 0;
    auto ended
      = each_round_taken(round, [&](const event_ptr& ev) { queue(ev, taken); });
    took(taken, ended);
    if (accepted_)
      writer_->write_next();
  }

  /// `ev` queued on the socket, or held until the `subscribed` reply is.
  void queue(const event_ptr& ev, std::uint64_t& taken) {
    ws_message msg{ws_bytes(ev), !ev->ws_binary().empty()};
    if (accepted_)
      writer_->enqueue(std::move(msg));
    else
      held_.push_back(std::move(msg));
    ++taken;
  }

  /// Counts the events taken; after the subscription's last, the actor is
  /// told before the write, so it is on its way out (and off its socket's
  /// list) by the time the client reads that event.
  void took(std::uint64_t taken, bool last) {
    stats_->events_sent.fetch_add(taken, std::memory_order_relaxed);
    if (!last)
      return;
    ended_ = true;
    if (on_last_)
      on_last_();
  }

  /// Every event of the round would go as a text frame we build: none
  /// binary (a screenshot) and none deflate would compress.
  bool all_framed_here(const std::vector<event_ptr>& events) const {
    for (const auto& ev : events)
      if (!framed_here(*ev))
        return false;
    return true;
  }

  bool framed_here(const encoded_event& ev) const {
    return ev.ws_binary().empty() && writer_->frames_text(ev.envelope().size());
  }

  /// The common case of a round: framed straight from the events (and
  /// those published since) into the socket's write, with no message queued and
  /// no reference taken to an event (two atomic operations per event per
  /// subscriber, on counters every I/O thread touches).
  void frame_round_at_once(const sink_round& round) {
    auto& framed = writer_->framed_;
    framed.clear();
    std::uint64_t taken = 0;
    std::size_t bytes = 0;
    auto frame = [&](const event_ptr& ev) {
      const auto& text = ev->envelope();
      append_text_frame(framed, text);
      bytes += text.size();
      ++taken;
    };
    // Events published after the round are framed as far as they are text
    // we frame; from the first that is not, they come with their round.
    auto last = each_round_taken(round, frame, [this](const encoded_event& ev) {
      return framed_here(ev);
    });
    took(taken, last);
    if (taken > 0)
      writer_->write_framed_now(taken, bytes);
  }

  std::shared_ptr<beast_ws_writer> writer_;
  std::shared_ptr<actor_stats> stats_;
  std::function<void()> on_last_;
  /// Events that came before the `subscribed` reply was queued.
  std::vector<ws_message> held_;
  bool accepted_ = false;
  /// The last event was taken, or the subscription ended.
  bool ended_ = false;
};

std::shared_ptr<subscription_sink>
beast_ws_writer::make_subscription_sink(std::shared_ptr<actor_stats> stats,
                                        std::function<void()> on_last) {
  return std::make_shared<beast_ws_sink>(shared_from_this(), std::move(stats),
                                         std::move(on_last));
}

} // namespace

std::shared_ptr<ws_writer> make_ws_writer(beast::tcp_stream stream,
                                          bhttp::request<bhttp::string_body> upgrade,
                                          ws_writer_options options,
                                          connection_registry& registry) {
  return std::make_shared<beast_ws_writer>(std::move(stream), std::move(upgrade),
                                           options, registry);
}

} // namespace agenttheo::http
