#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "messages/steer_request.hpp"
#include "messages/stream_request.hpp"
#include "protocol/simple_response.hpp"

namespace agenttheo {

// The WebSocket protocol of `GET /ws`. A client sends JSON text messages,
// each an object with a `type` and an optional `ref` (any string, echoed in
// the answer so the client can match them):
//
//   {"type":"run", "command":"...", "messageId"?, "session"?, "stream_mode"?,
//    "multitask"?, "max_steps"?, "batch_ms"?, "frames"?}
//   {"type":"subscribe", "session":"..." | "messageId":"...", "lastEventId"?,
//    "stream_mode"?, "batch_ms"?, "frames"?}
//   {"type":"unsubscribe", "session":"..." | "messageId":"..."}
//   {"type":"cancel", "session":"..."}
//   {"type":"resolve", "session", "interrupt_id", "decision", "input"?,
//    "answer"?, "message"?}
//   {"type":"pause"|"resume", "session"}
//   {"type":"control", "session", "holder":"user"|"agent"}
//   {"type":"input", "session", "event":{...}}  (browser/user_input.hpp)
//   {"type":"ping"}
//
// The server sends every event as its envelope (text), `screenshot`s as
// binary messages (binary_frame.hpp), the page's screencast to those that
// asked (`frames: true`) as binary messages of type `frame`, and answers to the client's messages:
// `subscribed`, `unsubscribed`, `cancelled`, `resolved`, `paused`,
// `resumed`, `control`, `pong`, `error` (an accepted `input` is not
// answered: only a refused one is).

/// Starts a run (or joins it, for a known messageId) and follows it.
struct ws_subscribe {
  /// With `batch_ms`: events within that window go out as one message (a
  /// JSON array of envelopes).
  stream_request request;
  std::string ref;
};

struct ws_unsubscribe {
  /// `run:{messageId}` or `session:{id}`.
  std::string key;
  std::string ref;
};

struct ws_cancel {
  std::string session_id;
  std::string ref;
};

/// A steering message (`resolve`, `pause`, `resume`, `control`, `input`),
/// for the session to check and act on (messages/steer_request.hpp).
struct ws_steer {
  steer_session request;
  std::string ref;
};

struct ws_ping {
  std::string ref;
};

/// A message the server cannot act on: the client gets an `error`, and the
/// socket goes on.
struct ws_bad_message {
  api_error error;
  std::string ref;
};

using ws_client_message = std::variant<ws_subscribe, ws_unsubscribe, ws_cancel,
                                       ws_steer, ws_ping, ws_bad_message>;

/// Reads one text message from a client.
ws_client_message parse_ws_message(std::string_view text,
                                   std::size_t max_command_length);

/// The key of what `request` follows: `session:{id}` or `run:{messageId}`.
std::string subscription_key(const stream_request& request);

/// `{"type":"error","ref":..,"data":{"status","code","message"}}`
std::string ws_error(const api_error& error, std::string_view ref);

/// `{"type":T,"ref":..,"data":<data_json>}`
std::string ws_reply(std::string_view type, std::string_view ref,
                     std::string_view data_json);

} // namespace agenttheo
