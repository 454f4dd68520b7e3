#include "messages/api_error.hpp"

#include <array>

#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using c = api_code;

constexpr std::array catalogue{
  api_code_info{c::missing_command, "missing_command", 400,
                "no `command`, and `messageId` names no known run"},
  api_code_info{c::command_too_long, "command_too_long", 400,
                "over `MAX_COMMAND_LENGTH`"},
  api_code_info{c::bad_command, "bad_command", 400,
                "not UTF-8 (RFC 3629: no overlong form, surrogate, or code "
                "point past U+10FFFF)"},
  api_code_info{c::bad_message_id, "bad_message_id", 400,
                "characters outside the safe set, or too long"},
  api_code_info{c::bad_session, "bad_session", 400,
                "characters outside the safe set, or too long"},
  api_code_info{c::bad_stream_mode, "bad_stream_mode", 400, "as named"},
  api_code_info{c::bad_last_event_id, "bad_last_event_id", 400, "as named"},
  api_code_info{c::bad_on_disconnect, "bad_on_disconnect", 400, "as named"},
  api_code_info{c::bad_query, "bad_query", 400, "as named"},
  api_code_info{c::bad_max_steps, "bad_max_steps", 400, "as named"},
  api_code_info{c::bad_max_failures, "bad_max_failures", 400, "as named"},
  api_code_info{c::bad_budget, "bad_budget", 400,
                "`max_tokens`, `max_cost_usd` or `max_duration` that is not a "
                "positive number of tokens, US dollars, or a duration"},
  api_code_info{c::bad_multitask, "bad_multitask", 400, "as named"},
  api_code_info{c::bad_after, "bad_after", 400, "as named"},
  api_code_info{c::bad_batch_ms, "bad_batch_ms", 400, "as named"},
  api_code_info{c::bad_body, "bad_body", 400,
                "an API body that is not a JSON object of the documented "
                "fields and types"},
  api_code_info{c::bad_secrets, "bad_secrets", 400,
                "a session's `secrets` that are not `{\"name\": {\"value\", "
                "\"hosts\"}}` (names, value sizes and hosts as in Secrets), or "
                "more than 64"},
  api_code_info{c::bad_actor, "bad_actor", 400,
                "an admin action's actor id that is not a number"},
  api_code_info{c::bad_decision, "bad_decision", 400,
                "a decision the interrupt does not offer, or an answer "
                "without its text"},
  api_code_info{c::bad_tool_input, "bad_tool_input", 400,
                "an edited tool input that does not match the tool's "
                "schema"},
  api_code_info{c::bad_input_event, "bad_input_event", 400,
                "a WebSocket `input` event the page cannot perform"},
  api_code_info{c::bad_approve, "bad_approve", 400,
                "`approve` names a rule that does not exist"},
  api_code_info{c::bad_interrupt_timeout, "bad_interrupt_timeout", 400,
                "as named (a duration such as `90s` or `10m`)"},
  api_code_info{c::bad_output_schema, "bad_output_schema", 400,
                "`output_schema` that is not a JSON object, or over 16 KiB"},
  api_code_info{c::bad_artifact_name, "bad_artifact_name", 400,
                "an artifact name that is no file name of its own: a path, "
                "`..`, a leading dot, a control character"},
  api_code_info{c::bad_upload, "bad_upload", 400,
                "an upload with no bytes, or a multipart body without a file "
                "part"},
  api_code_info{c::bad_frame, "bad_frame", 400,
                "a frame id that is not a positive integer"},
  api_code_info{c::malformed_request, "malformed_request", 400, "not HTTP"},
  api_code_info{c::bad_json, "bad_json", 400,
                "a WebSocket message that is not a JSON object"},
  api_code_info{c::bad_message, "bad_message", 400,
                "a WebSocket message with a missing or mistyped field"},
  api_code_info{c::bad_target, "bad_target", 400,
                "`subscribe`/`unsubscribe` without a session or messageId"},
  api_code_info{c::unknown_type, "unknown_type", 400,
                "a WebSocket message of a type the server does not know"},
  api_code_info{c::bad_host, "bad_host", 400,
                "a missing, repeated or malformed `Host`"},
  api_code_info{c::unauthorized, "unauthorized", 401,
                "a missing or wrong token (with `WWW-Authenticate: Bearer`)"},
  api_code_info{c::origin_not_allowed, "origin_not_allowed", 403,
                "see Origins"},
  api_code_info{c::cross_site_request, "cross_site_request", 403,
                "a browser's request from another site (`Sec-Fetch-Site`) "
                "whose origin is not allowed: see Origins"},
  api_code_info{c::not_found, "not_found", 404, "as named"},
  api_code_info{c::unknown_session, "unknown_session", 404, "as named"},
  api_code_info{c::unknown_run, "unknown_run", 404, "as named"},
  api_code_info{c::unknown_actor, "unknown_actor", 404,
                "an admin action on an actor that is gone"},
  api_code_info{c::unknown_interrupt, "unknown_interrupt", 404,
                "no interrupt with that id in the session"},
  api_code_info{c::unknown_artifact, "unknown_artifact", 404,
                "no file of that name in the session's artifacts"},
  api_code_info{c::unknown_frame, "unknown_frame", 404,
                "no recorded frame of that id in the run"},
  api_code_info{c::no_frames, "no_frames", 404,
                "a video of a run that recorded no frames (`RECORD=false`, or "
                "its page never opened)"},
  api_code_info{c::not_subscribed, "not_subscribed", 404,
                "`unsubscribe` from what the socket does not follow"},
  api_code_info{c::method_not_allowed, "method_not_allowed", 405,
                "with an `Allow` header"},
  api_code_info{c::session_busy, "session_busy", 409,
                "`multitask=reject`, or an MCP browser tool, while the session runs"},
  api_code_info{c::interrupt_resolved, "interrupt_resolved", 409,
                "the interrupt was already decided (the first decision "
                "wins)"},
  api_code_info{c::not_running, "not_running", 409,
                "pause with no run in progress"},
  api_code_info{c::not_paused, "not_paused", 409,
                "resume of a run that is not paused"},
  api_code_info{c::control_held, "control_held", 409,
                "another client holds control of the session's browser"},
  api_code_info{c::not_in_control, "not_in_control", 403,
                "input (or a hand-back) from a client that does not hold "
                "control"},
  api_code_info{c::message_id_conflict, "message_id_conflict", 409,
                "a `messageId` of another session"},
  api_code_info{c::run_not_finished, "run_not_finished", 409,
                "a rerun of a run still in progress"},
  api_code_info{c::recording_incomplete, "recording_incomplete", 409,
                "a rerun of a run whose events the log no longer holds whole, "
                "or that ended before its first step"},
  api_code_info{c::already_subscribed, "already_subscribed", 409,
                "`subscribe` to what the socket already follows"},
  api_code_info{c::not_a_connection, "not_a_connection", 409,
                "`disconnect` on an actor that is not a connection"},
  api_code_info{c::disconnected, "disconnected", 410,
                "an operator disconnected the WebSocket"},
  api_code_info{c::body_too_large, "body_too_large", 413,
                "request bodies over 64 KiB (an upload's: over "
                "`MAX_ARTIFACT_BYTES`)"},
  api_code_info{c::artifacts_full, "artifacts_full", 413,
                "an upload that would take the session's artifacts past "
                "`MAX_ARTIFACT_BYTES`"},
  api_code_info{c::misdirected_request, "misdirected_request", 421,
                "a `Host` the server does not answer to: see Hosts"},
  api_code_info{c::upgrade_required, "upgrade_required", 426,
                "`GET /ws` without a WebSocket upgrade"},
  api_code_info{c::queue_full, "queue_full", 429,
                "`multitask=enqueue` with `MAX_QUEUED_RUNS` runs already "
                "waiting"},
  api_code_info{c::too_many_subscriptions, "too_many_subscriptions", 429,
                "a WebSocket following `WS_MAX_SUBSCRIPTIONS` already"},
  api_code_info{c::rate_limited, "rate_limited", 429,
                "over a per-client limit (`CLIENT_*`, see Limits per client); "
                "`Retry-After` says when to come back"},
  api_code_info{c::headers_too_large, "headers_too_large", 431,
                "request head over `MAX_HEADER_BYTES`"},
  api_code_info{c::unsupported_transfer_coding, "unsupported_transfer_coding", 501,
                "a `Transfer-Encoding` other than `chunked` (the connection "
                "closes)"},
  api_code_info{c::too_many_sessions, "too_many_sessions", 503,
                "`MAX_SESSIONS` live (with `Retry-After`: when the first idle, "
                "unwatched session times out)"},
  api_code_info{c::shutting_down, "shutting_down", 503,
                "the server is stopping (with `Retry-After`)"},
  api_code_info{c::unavailable, "unavailable", 503,
                "the actors did not answer in time"},
  api_code_info{c::no_workers, "no_workers", 503,
                "a gateway with no reachable worker that has room"},
  api_code_info{c::node_lost, "node_lost", 503,
                "the session's worker is lost until it is back"},
  api_code_info{c::store_lagging, "store_lagging", 503,
                "more waits for the disk than `STORE_MAX_PENDING` allows: new "
                "runs wait until the store catches up (with `Retry-After`)"},
  api_code_info{c::video_failed, "video_failed", 500,
                "ffmpeg could not make the run's video (the message says why)"},
  api_code_info{c::run_finished, "run_finished", 204,
                "not an error: the run is over and nothing is left to replay"},
};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < catalogue.size(); ++i)
    if (static_cast<std::size_t>(catalogue[i].code) != i)
      return false;
  return true;
}

static_assert(in_enum_order(), "one row per api_code, in enum order");
static_assert(catalogue.back().code == api_code::run_finished,
              "a code added to the enum needs its row");

} // namespace

const api_code_info* api_catalogue_begin() {
  return catalogue.data();
}

const api_code_info* api_catalogue_end() {
  return catalogue.data() + catalogue.size();
}

const api_code_info& info(api_code code) {
  return catalogue[static_cast<std::size_t>(code)];
}

std::string_view to_string(api_code code) {
  return info(code).name;
}

api_error api_error::of(api_code code, std::string message) {
  auto& row = info(code);
  return {row.status, std::string{row.name}, std::move(message)};
}

api_error api_error::unknown_run(std::string_view message_id) {
  return of(api_code::unknown_run,
            "no run with messageId '" + std::string{message_id} + "'");
}

api_error api_error::unknown_session(std::string_view session_id) {
  return of(api_code::unknown_session,
            "no session '" + std::string{session_id} + "'");
}

api_error api_error::bad_body(std::string message) {
  return of(api_code::bad_body, std::move(message));
}

api_error api_error::shutting_down() {
  return of(api_code::shutting_down, "the server is shutting down");
}

std::string error_body(const api_error& err) {
  json_writer out;
  out.begin_object()
    .key("error")
    .begin_object()
    .field("status", static_cast<unsigned>(err.status))
    .field("code", err.code)
    .field("message", err.message);
  // Also in the body, for clients that see no headers (a WebSocket's).
  if (err.retry_after_s > 0)
    out.field("retry_after", static_cast<std::uint64_t>(err.retry_after_s));
  out.end_object().end_object();
  return out.str();
}

} // namespace agenttheo
