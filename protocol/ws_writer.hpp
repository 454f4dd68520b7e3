#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "messages/close_reason.hpp"
#include "metrics/actor_stats.hpp"
#include "protocol/event_sink.hpp"
#include "protocol/open_socket.hpp"
#include "protocol/sse_writer.hpp"

namespace agenttheo {

struct ws_writer_options {
  /// Queued bytes beyond which a client is dropped as a slow consumer, as on
  /// SSE. Screencast frames never count: they are dropped instead.
  std::size_t queue_limit = stream_options{}.send_queue_limit;
  /// Largest message a client may send; a bigger one closes with 1009.
  std::size_t max_message = stream_options{}.ws_max_message;
  /// permessage-deflate, offered to clients that ask for it.
  bool deflate = stream_options{}.ws_deflate;
  /// Messages smaller than this go out uncompressed even when deflate is on.
  std::size_t deflate_threshold = stream_options{}.ws_deflate_threshold;
  /// With nothing heard from the client this long, it is pinged; with no
  /// answer in as long again, it is dropped.
  std::chrono::milliseconds idle_timeout{30'000};
  /// How long a final flush may take before the socket is cut.
  std::chrono::milliseconds finish_grace{5'000};
  /// The threads running the socket's I/O context (`IO_THREADS`): a
  /// session's round to its subscribers there is split over as many lanes.
  unsigned lanes = 1;
};

/// One message to a client: text (a JSON envelope) or binary.
struct ws_message {
  frame_ptr bytes;
  bool binary = false;
};

/// Close codes the server uses (RFC 6455 §7.4, plus AgentTheo's own).
namespace ws_close {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
} // namespace ws_close

/// One subscription's events as its session writes them to the socket the
/// subscription shares with its siblings (see `event_sink`). Its events
/// wait until the subscription's actor has queued its `subscribed` reply,
/// and it takes nothing after the subscription's last event or its end.
class subscription_sink : public event_sink {
public:
  /// The actor was accepted: `reply` goes out, then the events the session
  /// sent so far, then the rest as they come.
  virtual void accepted(ws_message reply) = 0;

  /// `message` from the actor, after everything the session sent through
  /// its lane up to now (the session-lost word).
  virtual void send_after_session(ws_message message) = 0;

  /// The subscription ended (any reason): nothing the session sends after
  /// what it sent up to now is taken.
  virtual void end() = 0;
};

/// The socket side of one WebSocket. Every call is thread-safe and returns
/// at once: work is posted to the connection's strand, which writes one
/// message at a time and queues the rest within the bound.
class ws_writer : public open_socket {
public:
  using message_handler = std::function<void(std::string text)>;
  using close_handler = std::function<void(close_reason)>;

  /// Completes the handshake, then reads. `on_message` gets each text
  /// message; `on_closed` runs once when the socket side has ended. Binary
  /// or oversized client messages close the socket (1003, 1009) themselves.
  virtual void start(message_handler on_message, close_handler on_closed) = 0;

  virtual void send(ws_message message) = 0;

  virtual void send(std::vector<ws_message> messages) = 0;

  /// Sends `messages`; `on_written` runs on an I/O thread once the last of
  /// them is written (never, if the socket ends first). A subscription
  /// hands over its next batch then, so a busy socket's backlog waits in
  /// the subscription, bounded, not in the I/O queue.
  virtual void send(std::vector<ws_message> messages,
                    std::function<void()> on_written) = 0;

  /// The same for one message (a live event), without a vector for it.
  virtual void send(ws_message message, std::function<void()> on_written) = 0;

  /// Bytes that may wait for the socket before the client is dropped.
  virtual std::size_t queue_limit() const = 0;

  /// A screencast frame: replaces a frame of the same `key` still waiting,
  /// and is dropped rather than queued past the bound. Video never holds up
  /// events, and never gets a client dropped.
  virtual void send_frame(frame_ptr frame, std::string key) = 0;

  /// Flushes what is queued, then closes with `code`.
  virtual void close(std::uint16_t code, std::string reason) = 0;

  /// A sink for one subscription on this socket; its events count in
  /// `stats`, and `on_last` runs on an I/O thread once the subscription's
  /// last event is queued (its actor then ends).
  virtual std::shared_ptr<subscription_sink>
  make_subscription_sink(std::shared_ptr<actor_stats> stats,
                         std::function<void()> on_last) = 0;
};

} // namespace agenttheo
