#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/meta/type_name.hpp>

#include "messages/event_type.hpp"
#include "messages/rerun_script.hpp"

namespace agenttheo {

/// What happens to a new command for a session that is still running one.
enum class multitask : std::uint8_t {
  /// 409 session_busy; the running run goes on.
  reject,
  /// The new run waits its turn; `status: queued` until it starts.
  enqueue,
  /// The running run is cancelled and the new one starts at once.
  interrupt,
};

std::string_view to_string(multitask strategy);

std::optional<multitask> parse_multitask(std::string_view text);

/// What a client asked for when it opened a stream: a new run (`command`), or
/// to join a known run (`message_id`), optionally resuming after an event id.
struct stream_request {
  std::string command;
  /// Names the run. Empty: the server picks one.
  std::string message_id;
  /// Continues this conversation. Empty: a new session (or the run's own).
  std::string session_id;
  mode_mask modes = all_modes;
  bool has_last_event_id = false;
  std::uint64_t last_event_id = 0;
  /// `on_disconnect=cancel`: the run stops when this client goes away.
  bool cancel_on_disconnect = false;
  /// Model turns for this run; 0: the server's MAX_STEPS.
  std::uint64_t max_steps = 0;
  /// Failed tool calls in a row that end this run (0: never); -1: the
  /// server's MAX_FAILURES.
  std::int64_t max_failures = -1;
  /// This run's budget (`max_tokens`, `max_cost_usd`, `max_duration`);
  /// 0: the server's ceiling alone (RUN_MAX_*).
  std::uint64_t max_tokens = 0;
  double max_cost_usd = 0;
  std::uint64_t max_duration_ms = 0;
  multitask strategy = multitask::reject;
  /// False: start the run without streaming it (the JSON API); the session
  /// answers `stream_accepted` and sends no events.
  bool subscribe = true;
  /// Follow every run of `session_id`, present and future, until the
  /// session ends (`GET /api/sessions/{id}/stream`).
  bool whole_session = false;
  /// The connection's batch window (`batch_ms`): events within it go out
  /// together, in one write (SSE) or one array message (WebSocket). 0: each
  /// event as it comes. The session does not look at it.
  std::uint32_t batch_ms = 0;
  /// The subscriber wants the page's screencast (`video_frame`s), while it
  /// follows the session. WebSocket only: video is binary.
  bool frames = false;
  /// Set by a gateway: `session_id` names a session it placed on this
  /// worker, to be created under that id if it does not exist yet.
  bool new_session = false;
  /// Set by a gateway: the worker node (`host:port`) the request went to,
  /// so the session's subscribers can name it if that node is lost.
  std::string node;
  /// Who asked, for the per-client limits: "API token", "admin token", or
  /// the peer's address.
  std::string client;
  /// Approval rules this run adds to the server's (`approve=`): bits of
  /// config/approval_rules.hpp.
  std::uint16_t approve = 0;
  /// How long its interrupts wait for a decision (`interrupt_timeout`);
  /// 0: the server's INTERRUPT_TIMEOUT.
  std::uint64_t interrupt_timeout_ms = 0;
  /// A JSON Schema the run's answer must follow (`output_schema`): the
  /// model finishes with a `done {output}` tool; empty: a plain answer.
  std::string output_schema;
  /// `POST /api/runs/{id}/rerun`: the recorded run it repeats, step by
  /// step, without the model; empty: a run the model drives.
  rerun_script rerun;
  /// When the request reached this process: made with it (parsed from the
  /// HTTP request, or read off the wire on a worker), so never sent.
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_request& x) {
  return f(caf::meta::type_name("stream_request"), x.command, x.message_id,
           x.session_id, x.modes, x.has_last_event_id, x.last_event_id,
           x.cancel_on_disconnect, x.max_steps, x.max_failures, x.max_tokens,
           x.max_cost_usd, x.max_duration_ms, x.strategy, x.subscribe,
           x.whole_session, x.batch_ms, x.frames, x.new_session, x.node,
           x.client, x.approve, x.interrupt_timeout_ms, x.output_schema, x.rerun);
}

/// Longest batch window a client may ask for, in milliseconds.
inline constexpr std::uint32_t max_batch_ms = 1000;

} // namespace agenttheo
