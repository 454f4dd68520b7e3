#pragma once

// The typed messages actors exchange. Every one is a plain struct with an
// `inspect` overload, so it can be serialized and cross a node boundary.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include "messages/api_error.hpp"
#include "messages/chat_types.hpp"
#include "messages/close_reason.hpp"
#include "messages/run_view.hpp"
#include "messages/event.hpp"
#include "messages/session_request.hpp"
#include "messages/steer_request.hpp"
#include "messages/stream_request.hpp"

namespace agenttheo {

class event_sink; // protocol/event_sink.hpp: a socket a session writes to

// -- atoms (ten characters at most; CAF's own names are avoided) -------------

using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using list_sessions_atom = caf::atom_constant<caf::atom("list_sess")>;
using idle_check_atom = caf::atom_constant<caf::atom("idle_check")>;
using emit_next_atom = caf::atom_constant<caf::atom("emit_next")>;
using llm_idle_atom = caf::atom_constant<caf::atom("llm_idle")>;
using llm_retry_atom = caf::atom_constant<caf::atom("llm_retry")>;
using llm_finish_atom = caf::atom_constant<caf::atom("llm_finish")>;
using open_page_atom = caf::atom_constant<caf::atom("open_page")>;
using close_page_atom = caf::atom_constant<caf::atom("close_page")>;
using cdp_timeout_atom = caf::atom_constant<caf::atom("cdp_tmo")>;
using cdp_closed_atom = caf::atom_constant<caf::atom("cdp_closed")>;
/// Browser to itself: time to make the next spare context (BROWSER_POOL).
using refill_pool_atom = caf::atom_constant<caf::atom("refill")>;
using browser_pid_atom = caf::atom_constant<caf::atom("brw_pid")>;
using listen_atom = caf::atom_constant<caf::atom("cdp_listen")>;
using browser_lost_atom = caf::atom_constant<caf::atom("brw_lost")>;
/// Browser to page to session: a run waits for a context; with how many
/// requests are ahead of it and how many contexts are running.
using context_wait_atom = caf::atom_constant<caf::atom("ctx_wait")>;
/// Session to page (bool: a run is in progress), page to browser (context
/// id, bool): whether the context may be lent to another session.
using context_active_atom = caf::atom_constant<caf::atom("ctx_active")>;
/// Browser to page: give the context back (it is idle and someone waits).
using yield_context_atom = caf::atom_constant<caf::atom("ctx_yield")>;
/// Page to session (string: what happened): the page was reopened in a
/// fresh context after its own was lent out.
using page_reopened_atom = caf::atom_constant<caf::atom("pg_reopen")>;
/// `GET /api/admin/clients`: the per-client book, busiest first.
using clients_atom = caf::atom_constant<caf::atom("clients")>;
/// To a page: drop the tool calls still waiting (their run was cancelled).
using drop_tools_atom = caf::atom_constant<caf::atom("drop_tools")>;
using tool_begun_atom = caf::atom_constant<caf::atom("tool_begun")>;
using tool_expired_atom = caf::atom_constant<caf::atom("tool_exp")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// The store writer: write what waits now (the timer's, or shutdown's,
/// which waits for the answer).
using store_flush_atom = caf::atom_constant<caf::atom("st_flush")>;
/// Manager to store writer (session id, messageId): an ended session, to
/// spawn again (stored_session_found).
using revive_atom = caf::atom_constant<caf::atom("st_revive")>;
/// The store writer: delete sessions past STORE_RETENTION.
using store_sweep_atom = caf::atom_constant<caf::atom("st_sweep")>;
/// Session to page: the page's URL, cookies and localStorage, for the
/// store (replies with storage_state_to_json's text, empty without one).
using save_page_atom = caf::atom_constant<caf::atom("save_page")>;
/// A session's paced delivery round is due (fanout_pacer).
using fanout_atom = caf::atom_constant<caf::atom("fanout")>;
/// A connection's socket finished its writes: hand it the next batch.
using drained_atom = caf::atom_constant<caf::atom("drained")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsub")>;
/// To a page: start (true) or stop (false) its screencast.
using screencast_atom = caf::atom_constant<caf::atom("scast")>;
/// A person's input for the page: a CDP `Input.*` method and its params.
using page_input_atom = caf::atom_constant<caf::atom("pg_input")>;
/// An interrupt's time is up (its id, its timer's generation).
using interrupt_expired_atom = caf::atom_constant<caf::atom("intr_exp")>;
/// A run's max_duration is up (the run's number).
using run_deadline_atom = caf::atom_constant<caf::atom("run_dline")>;

// -- connection <-> manager <-> session --------------------------------------

/// A connection actor asks to stream a run. The manager routes it to the
/// run's session, which answers `subscriber` directly.
struct open_stream {
  caf::actor subscriber;
  stream_request request;
  /// Set by a gateway for a session on a worker: the gateway's relay for
  /// that session, which gets each live round once and hands it to its
  /// local subscribers (instead of one copy per subscriber on the wire).
  caf::actor via;
  /// The subscriber's socket, for a session in this process to write its
  /// events to directly (protocol/event_sink.hpp); null: they go to the
  /// subscriber as messages. Never on the wire: a session on another node
  /// gets none.
  std::shared_ptr<event_sink> sink;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, open_stream& x) {
  return f(caf::meta::type_name("open_stream"), x.subscriber, x.request, x.via);
}

/// The session took the subscriber; events follow from the same sender.
struct stream_accepted {
  caf::actor session;
  std::string session_id;
  std::string message_id;
  /// The run's state: queued, running or finished.
  std::string run_state;
  /// The worker node the session runs on (the request's `node`); empty when
  /// it runs in this process.
  std::string node;
  /// The session follows this stream and sends it a `down_msg` when it
  /// ends (actors/stream_watchers.hpp): no monitor needed. False: monitor
  /// the session to learn of its end.
  bool session_tells_end = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_accepted& x) {
  return f(caf::meta::type_name("stream_accepted"), x.session, x.session_id,
           x.message_id, x.run_state, x.node, x.session_tells_end);
}

/// A live delivery round's ticket (actors/fanout_round.hpp): the session
/// learns its round was handled when the last message carrying it is gone.
/// Never serialized: a round sent to another node is done once sent.
using round_ticket = std::shared_ptr<const void>;

/// One live event for a subscriber.
struct event_frame {
  event_ptr ev;
  round_ticket round = {};
};

/// Serializes the raw event only; the receiving node re-encodes it once.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_frame& x) {
  event tmp = x.ev ? x.ev->raw : event{};
  auto type = static_cast<std::uint8_t>(tmp.type);
  auto rebuild = caf::meta::load_callback([&]() -> caf::error {
    tmp.type = static_cast<event_type>(type);
    x.ev = encode(std::move(tmp));
    return caf::none;
  });
  return f(caf::meta::type_name("event_frame"), tmp.id, type, tmp.session,
           tmp.message_id, tmp.data, tmp.terminal, tmp.ts, rebuild);
}

/// Events for a subscriber in one go, to be written at once: a replay, or
/// (`live`) a paced fan-out round. `final`: the run is over and nothing
/// else follows, whether or not its terminal event survived in the log.
struct event_batch {
  std::vector<event_frame> events;
  bool final = false;
  bool live = false;
  round_ticket round = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_batch& x) {
  return f(caf::meta::type_name("event_batch"), x.events, x.final,
           x.live);
}

/// The socket side tells its connection actor that the socket is gone.
struct stream_closed {
  close_reason reason = close_reason::finished;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_closed& x) {
  return f(caf::meta::type_name("stream_closed"), x.reason);
}

/// A screencast frame from a page to its session (`Page.screencastFrame`).
struct screencast_frame {
  std::string jpeg_base64;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  double timestamp = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, screencast_frame& x) {
  return f(caf::meta::type_name("screencast_frame"), x.jpeg_base64, x.width,
           x.height, x.timestamp);
}

/// A file the page stored in its session's artifacts (a download), for
/// the session's `artifact` event.
struct artifact_saved {
  std::string name;
  std::string mime;
  std::uint64_t bytes = 0;
  /// `download` or `upload`.
  std::string source;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, artifact_saved& x) {
  return f(caf::meta::type_name("artifact_saved"), x.name, x.mime, x.bytes,
           x.source);
}

/// A screencast frame for subscribers that asked for video: the WebSocket
/// binary message (binary_frame.hpp), built once and shared.
struct video_frame {
  std::shared_ptr<const std::string> bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_frame& x) {
  std::string tmp = x.bytes ? *x.bytes : std::string{};
  auto rebuild = caf::meta::load_callback([&]() -> caf::error {
    x.bytes = std::make_shared<const std::string>(std::move(tmp));
    return caf::none;
  });
  return f(caf::meta::type_name("video_frame"), tmp, rebuild);
}

/// A text message a WebSocket client sent.
struct ws_text {
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_text& x) {
  return f(caf::meta::type_name("ws_text"), x.text);
}

/// Stop a run (`on_disconnect=cancel`, the API, the admin console).
struct cancel_run {
  std::string message_id;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_run& x) {
  return f(caf::meta::type_name("cancel_run"), x.message_id, x.reason);
}

// -- the JSON API ------------------------------------------------------------

/// An API answer: the HTTP status and its JSON body.
struct api_reply {
  api_reply() = default;
  api_reply(std::uint16_t status, std::string json, std::uint32_t retry_after_s = 0,
            std::string content_type = {})
    : status(status), json(std::move(json)), retry_after_s(retry_after_s),
      content_type(std::move(content_type)) {
  }

  std::uint16_t status = 200;
  /// The body: JSON unless `content_type` says otherwise.
  std::string json;
  /// A refusal's `Retry-After`, in seconds; 0: none.
  std::uint32_t retry_after_s = 0;
  /// Empty for JSON; else the body's type (a recorded frame's image/jpeg).
  std::string content_type;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("api_reply"), x.status, x.json, x.retry_after_s,
           x.content_type);
}

inline api_reply error_reply(const api_error& err) {
  return {err.status, error_body(err), err.retry_after_s};
}

/// The streams each client has open (the socket side counts them), sent
/// with `clients_atom` so the listing shows them beside sessions and runs.
struct client_streams_view {
  std::vector<std::string> clients;
  std::vector<std::uint64_t> streams;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_streams_view& x) {
  return f(caf::meta::type_name("client_streams_view"), x.clients, x.streams);
}

/// `GET /api/sessions/{id}`: state, conversation, runs.
struct describe_session {
  std::string session_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, describe_session& x) {
  return f(caf::meta::type_name("describe_session"), x.session_id);
}

/// `POST /api/sessions/{id}/cancel` (stop the running run) and, with
/// `remove`, `DELETE /api/sessions/{id}` (stop everything, end the session).
struct cancel_session {
  std::string session_id;
  bool remove = false;
  /// Why, for the stream (empty: the API's own words).
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_session& x) {
  return f(caf::meta::type_name("cancel_session"), x.session_id, x.remove,
           x.reason);
}

/// `GET /api/runs/{messageId}/events`: the run's events after `after_id`.
struct read_run_events {
  std::string message_id;
  std::uint64_t after_id = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_run_events& x) {
  return f(caf::meta::type_name("read_run_events"), x.message_id, x.after_id);
}

/// A request for `view` of run `message_id`; `frame_id` for `frame`.
struct read_run_view {
  std::string message_id;
  run_view view = run_view::frames;
  std::uint64_t frame_id = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_run_view& x) {
  return f(caf::meta::type_name("read_run_view"), x.message_id, x.view, x.frame_id);
}

// -- llm_call -> session ------------------------------------------------------

/// A piece of the model's answer, the moment it arrived.
struct llm_delta {
  std::uint64_t run = 0;
  std::string text;
  /// On a call's first piece: how long the model itself took to it, in
  /// nanoseconds (the provider from request to answer, or the offline
  /// planner's own pacing); -1 on every other piece, and when not known.
  std::int64_t model_first_ns = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_delta& x) {
  return f(caf::meta::type_name("llm_delta"), x.run, x.text, x.model_first_ns);
}

/// The model finished its turn: its text, and the tools it wants called.
struct llm_done {
  std::uint64_t run = 0;
  std::string content;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::vector<tool_call> tool_calls;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_done& x) {
  return f(caf::meta::type_name("llm_done"), x.run, x.content,
           x.prompt_tokens, x.completion_tokens, x.tool_calls);
}

/// The call failed transiently and is tried again after `delay_ms`.
struct llm_retrying {
  std::uint64_t run = 0;
  std::uint32_t attempt = 0;
  std::uint64_t delay_ms = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_retrying& x) {
  return f(caf::meta::type_name("llm_retrying"), x.run, x.attempt, x.delay_ms,
           x.reason);
}

// -- an attempt's transfer -> openai_call (tagged with the attempt) ----------

/// The attempt's stream ended the answer (`llm/chat_stream.hpp`): whole when
/// `code` is empty, else broken as `message` says.
struct llm_stream_end {
  std::uint32_t attempt = 0;
  std::string code;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_stream_end& x) {
  return f(caf::meta::type_name("llm_stream_end"), x.attempt, x.code,
           x.message);
}

struct http_done {
  std::uint32_t attempt = 0;
  std::int32_t curl_code = 0;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_done& x) {
  return f(caf::meta::type_name("http_done"), x.attempt, x.curl_code,
           x.message);
}

/// The call failed; the session turns it into an `error` event.
struct llm_failed {
  std::uint64_t run = 0;
  std::string code;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, llm_failed& x) {
  return f(caf::meta::type_name("llm_failed"), x.run, x.code, x.message);
}

// -- browser -----------------------------------------------------------------

/// One CDP command, to the browser (`cdp_target` empty) or to a page.
/// Answered with a `cdp_result`.
struct cdp_call {
  std::string cdp_target;
  std::string method;
  std::string params_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cdp_call& x) {
  return f(caf::meta::type_name("cdp_call"), x.cdp_target, x.method,
           x.params_json);
}

/// A CDP event for the page that listens on its session.
struct cdp_event {
  std::string method;
  std::string params_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cdp_event& x) {
  return f(caf::meta::type_name("cdp_event"), x.method, x.params_json);
}

/// A message from Chromium, read off the pipe, tagged with the launch it
/// belongs to.
struct cdp_incoming {
  std::uint64_t generation = 0;
  std::string json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cdp_incoming& x) {
  return f(caf::meta::type_name("cdp_incoming"), x.generation, x.json);
}

// -- tool_call -> session ---------------------------------------------------

/// A tool call began (the session emits `tool_start`).
struct tool_started {
  std::uint64_t run = 0;
  std::string call_id;
  std::string name;
  std::string arguments_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_started& x) {
  return f(caf::meta::type_name("tool_started"), x.run, x.call_id, x.name,
           x.arguments_json);
}

/// A tool call ended (the session emits `tool_end`, and `screenshot` when
/// there is an image).
struct tool_finished {
  std::uint64_t run = 0;
  std::string call_id;
  std::string name;
  bool ok = false;
  std::string output;
  std::uint64_t duration_ms = 0;
  std::string image_base64;
  std::string url;
  /// The tool_result's `error_code`, when it has one.
  std::string error_code;
  /// The tab it ran in (0: not a browser tool).
  std::uint32_t tab = 0;
  /// The tool_result's `page_digest`.
  std::string page_digest;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_finished& x) {
  return f(caf::meta::type_name("tool_finished"), x.run, x.call_id, x.name,
           x.ok, x.output, x.duration_ms, x.image_base64, x.url, x.error_code,
           x.tab, x.page_digest);
}

/// Something a tool wants the user to see while it works (emitted as a
/// `custom` event): waiting for a page, a dismissed dialog, a queue.
struct tool_note {
  std::string tool;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_note& x) {
  return f(caf::meta::type_name("tool_note"), x.tool, x.message);
}

// -- session -> manager -------------------------------------------------------

/// What `/api/sessions` lists; a session pushes it whenever it changes.
struct session_info {
  std::string id;
  /// Its first command, shortened, or what someone renamed it to.
  std::string title;
  std::string state;
  std::uint64_t runs = 0;
  std::uint64_t subscribers = 0;
  std::string current_message_id;
  std::uint64_t queued = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  /// The worker node it runs on; empty in-process (a gateway fills it in).
  std::string node;
  /// Its pending interrupts, a JSON array of `interrupt` event data (for
  /// the listing and the admin console); `[]` when none.
  std::string interrupts_json = "[]";
  /// Who holds its browser: `agent` or `user`.
  std::string control = "agent";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("session_info"), x.id, x.title, x.state, x.runs,
           x.subscribers, x.current_message_id, x.queued, x.created_at_ms,
           x.updated_at_ms, x.node, x.interrupts_json, x.control);
}

/// The session no longer knows this run (rejected start, record evicted).
struct run_forgotten {
  std::string message_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_forgotten& x) {
  return f(caf::meta::type_name("run_forgotten"), x.message_id);
}

} // namespace agenttheo
