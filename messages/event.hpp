#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "messages/event_type.hpp"

namespace agenttheo {

/// One event as the session produced it. `data` is the JSON object that the
/// guide calls the event's `data` (for SSE it is the whole `data:` line).
struct event {
  std::uint64_t id = 0;
  event_type type = event_type::status;
  std::string session;
  std::string message_id;
  std::string data;
  /// Ends the run's stream: `complete`, or an `error` after which the run
  /// cannot go on. Subscribers close their response after it.
  bool terminal = false;
  /// When the server made it, Unix milliseconds (`ts` in the envelope):
  /// what a replay puts on its timeline. 0 for events from before it was
  /// kept (a store of schema 4).
  std::int64_t ts = 0;
};

/// Whether `ev` ends what a subscriber follows: a run's terminal event ends
/// a run's stream; a whole-session stream ends only with the session's own.
inline bool ends_subscription(const event& ev, bool whole_session) {
  return ev.terminal && (!whole_session || ev.message_id.empty());
}

/// Whether a subscriber following `message_id` (empty: the whole session)
/// in `modes` gets `ev`.
inline bool follows(const std::string& message_id, mode_mask modes,
                    const event& ev) {
  return (message_id.empty() || message_id == ev.message_id)
         && wants(modes, ev.type);
}

/// An event with its wire forms, built once and shared read-only by every
/// subscriber: no connection ever serializes an event again. The SSE frame
/// is built with the event; the WebSocket forms the first time one is
/// asked for (a WebSocket subscriber, a JSON replay), since most events
/// never reach one: an envelope per token was a JSON build, an allocation
/// and ~200 bytes kept in the session's log.
class encoded_event {
public:
  encoded_event(event raw, std::string sse_frame);

  event raw;
  /// `id: N\nevent: T\ndata: {...}\n\n`
  std::string sse_frame;
  /// When it was made (for the delivery latency).
  std::chrono::steady_clock::time_point stamped
    = std::chrono::steady_clock::now();

  /// `{"type":T,"id":N,"session":S,"messageId":M,"ts":...,"data":{...}}`
  const std::string& envelope() const;

  /// A `screenshot` on WebSocket: one binary message (see binary_frame.hpp)
  /// with the envelope's fields but `image` in the header, and the image's
  /// raw bytes after it. Empty for every other event.
  const std::string& ws_binary() const;

  /// Bytes this event holds in memory once every form is built (so a
  /// log's byte bound holds whichever subscribers come), for that bound.
  std::size_t footprint() const;

private:
  mutable std::once_flag envelope_once_;
  mutable std::string envelope_;
  mutable std::once_flag binary_once_;
  mutable std::string ws_binary_;
};

using event_ptr = std::shared_ptr<const encoded_event>;

/// The event with its SSE frame (its WebSocket forms follow on demand).
/// `raw.data` must be one JSON object without newlines (what `json_writer`
/// produces).
event_ptr encode(event raw);

/// A view of the event's SSE frame that keeps the event alive, so writers can
/// queue it without copying.
inline std::shared_ptr<const std::string> sse_bytes(const event_ptr& ev) {
  return {ev, &ev->sse_frame};
}

/// The event as WebSocket sends it: its binary form if it has one, else its
/// envelope as text. Keeps the event alive, like sse_bytes.
inline std::shared_ptr<const std::string> ws_bytes(const event_ptr& ev) {
  const auto& binary = ev->ws_binary();
  return {ev, binary.empty() ? &ev->envelope() : &binary};
}

} // namespace agenttheo
