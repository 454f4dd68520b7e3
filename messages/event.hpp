#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
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
/// subscriber: no connection ever serializes an event again.
struct encoded_event {
  event raw;
  /// `id: N\nevent: T\ndata: {...}\n\n`
  std::string sse_frame;
  /// `{"type":T,"id":N,"session":S,"messageId":M,"data":{...}}`
  std::string envelope;
  /// A `screenshot` on WebSocket: one binary message (see binary_frame.hpp)
  /// with the envelope's fields but `image` in the header, and the image's
  /// raw bytes after it. Empty for every other event.
  std::string ws_binary;
  /// When it was made (for the delivery latency).
  std::chrono::steady_clock::time_point stamped = std::chrono::steady_clock::now();

  /// Bytes this event holds in memory, for the log's byte bound.
  std::size_t footprint() const {
    return sizeof(*this) + raw.data.size() + sse_frame.size() + envelope.size()
           + ws_binary.size() + raw.session.size() + raw.message_id.size();
  }
};

using event_ptr = std::shared_ptr<const encoded_event>;

/// Builds both wire forms of `raw`. `raw.data` must be one JSON object
/// without newlines (what `json_writer` produces).
event_ptr encode(event raw);

/// A view of the event's SSE frame that keeps the event alive, so writers can
/// queue it without copying.
inline std::shared_ptr<const std::string> sse_bytes(const event_ptr& ev) {
  return {ev, &ev->sse_frame};
}

/// The event as WebSocket sends it: its binary form if it has one, else its
/// envelope as text. Keeps the event alive, like sse_bytes.
inline std::shared_ptr<const std::string> ws_bytes(const event_ptr& ev) {
  return {ev, ev->ws_binary.empty() ? &ev->envelope : &ev->ws_binary};
}

} // namespace agenttheo
