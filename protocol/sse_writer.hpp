#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "messages/close_reason.hpp"
#include "protocol/event_sink.hpp"
#include "protocol/open_socket.hpp"
#include "protocol/simple_response.hpp"

namespace agenttheo {

/// Bytes shared with other writers (an event's SSE frame), never copied.
using frame_ptr = std::shared_ptr<const std::string>;

struct sse_writer_options {
  /// Queued bytes (not yet handed to the socket) beyond which the client is
  /// dropped as a slow consumer. A single frame larger than this may still
  /// wait alone; a backlog of frames may not.
  std::size_t queue_limit = stream_options{}.send_queue_limit;
  /// A `: ping` comment goes out when nothing was written for this long.
  std::chrono::milliseconds heartbeat = stream_options{}.heartbeat;
  /// How long a final flush may take before the socket is cut.
  std::chrono::milliseconds finish_grace{5'000};
  /// `Content-Encoding: gzip`, each write flushed so every event decodes
  /// on arrival.
  bool gzip = false;
  /// The threads running the socket's I/O context (`IO_THREADS`): a
  /// session's round to its subscribers there is split over as many lanes.
  unsigned lanes = 1;
};

/// The socket side of one SSE response. Every call is thread-safe and
/// returns at once: work is posted to the connection's strand. While one
/// write is in flight, frames queue up and go out together in the next one.
/// It is also its subscriber's event sink: the session's rounds reach it on
/// the I/O thread without a hop through the connection's actor.
class sse_writer : public open_socket, public event_sink {
public:
  using close_handler = std::function<void(close_reason)>;
  using drained_handler = std::function<void()>;

  virtual ~sse_writer() = default;

  /// Starts watching the socket. `on_closed` runs once, on an I/O thread,
  /// when the socket side has ended for any reason; `on_drained` each time
  /// a write completes with nothing queued behind it, except the write of a
  /// round straight from the session's events (nothing the actor handed
  /// over: what it hands goes in a later write, which reports).
  virtual void start(close_handler on_closed, drained_handler on_drained) = 0;

  /// Bytes that may wait for the socket before the client is dropped.
  virtual std::size_t queue_limit() const = 0;

  /// Sends the `200 text/event-stream` head; frames follow.
  virtual void accept(std::string cors_origin) = 0;

  /// Answers with a complete response instead of a stream, then closes.
  virtual void reject(simple_response response) = 0;

  /// Frames from the connection's actor. Dropped once the session's
  /// events through the sink have ended the stream: nothing follows the
  /// subscription's last event.
  virtual void send(frame_ptr frame) = 0;

  virtual void send(std::vector<frame_ptr> frames) = 0;

  /// Flushes what is queued, ends the response, and closes.
  virtual void finish() = 0;
};

} // namespace agenttheo
