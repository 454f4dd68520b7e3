#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "protocol/ws_writer.hpp"
#include "util/token_bucket.hpp"

namespace agenttheo {

struct ws_connection_settings {
  std::size_t max_command_length = 4000;
  /// Runs and sessions one socket may follow at once.
  std::size_t max_subscriptions = 32;
  /// Who is on the other end, for the per-client limits.
  std::string client;
  /// Messages a second the client may send, in bursts of twice as many;
  /// the rest get `rate_limited` (0: any).
  std::size_t messages_per_second = 0;
  /// Input events a second (for a page it controls), in bursts of twice
  /// as many, apart from the messages above (0: any).
  std::size_t input_events_per_second = 0;
};

/// One `GET /ws` socket. It reads the client's JSON messages and answers
/// them: `run` and `subscribe` each spawn a `ws_subscription` (the session's
/// subscriber, writing to this socket), `unsubscribe` ends one, `cancel`
/// asks the session's manager, `ping` gets `pong`. Bad messages get an
/// `error` and the socket goes on. It ends when the client goes away, and
/// closes the socket when it exits for any reason.
struct ws_connection_state {
  std::shared_ptr<ws_writer> writer;
  caf::actor manager;
  ws_connection_settings settings;
  /// What the socket follows, by key (`run:{messageId}`, `session:{id}`).
  std::unordered_map<std::string, caf::actor> subscriptions;
  /// The client's message rate (set when it is limited).
  std::optional<token_bucket> messages;
  /// The client's input event rate (set when it is limited).
  std::optional<token_bucket> inputs;

  static inline const char* name = "ws_connection";
};

caf::behavior ws_connection(caf::stateful_actor<ws_connection_state>* self,
                            std::shared_ptr<ws_writer> writer,
                            caf::actor manager, ws_connection_settings settings);

} // namespace agenttheo
