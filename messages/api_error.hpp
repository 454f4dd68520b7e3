#pragma once

// Every error a client can be answered with, in one catalogue: its code,
// its HTTP status and when it happens. The README's Errors table is checked
// against this one (unit test `api_error`). The model is Centrifugo's
// `internal/apiproto/errors.go`.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/meta/type_name.hpp>

namespace agenttheo {

enum class api_code : std::uint8_t {
  // 400: the request itself
  missing_command,
  command_too_long,
  bad_command,
  bad_message_id,
  bad_session,
  bad_stream_mode,
  bad_last_event_id,
  bad_on_disconnect,
  bad_query,
  bad_max_steps,
  bad_max_failures,
  bad_budget,
  bad_multitask,
  bad_after,
  bad_batch_ms,
  bad_body,
  bad_secrets,
  bad_actor,
  bad_decision,
  bad_tool_input,
  bad_input_event,
  bad_approve,
  bad_interrupt_timeout,
  bad_output_schema,
  bad_artifact_name,
  bad_upload,
  bad_frame,
  malformed_request,
  // 400 on the WebSocket: a message the server cannot act on
  bad_json,
  bad_message,
  bad_target,
  unknown_type,
  bad_host,
  // access
  unauthorized,
  origin_not_allowed,
  cross_site_request,
  // what the request names
  not_found,
  unknown_session,
  unknown_run,
  unknown_actor,
  unknown_interrupt,
  unknown_artifact,
  unknown_frame,
  no_frames,
  not_subscribed,
  method_not_allowed,
  // conflicts and limits
  session_busy,
  interrupt_resolved,
  not_running,
  not_paused,
  control_held,
  not_in_control,
  message_id_conflict,
  run_not_finished,
  recording_incomplete,
  already_subscribed,
  not_a_connection,
  disconnected,
  body_too_large,
  artifacts_full,
  misdirected_request,
  upgrade_required,
  queue_full,
  too_many_subscriptions,
  rate_limited,
  headers_too_large,
  // the server
  unsupported_transfer_coding,
  too_many_sessions,
  shutting_down,
  unavailable,
  no_workers,
  node_lost,
  store_lagging,
  video_failed,
  // not an error: a finished run with nothing left to replay (204 tells
  // EventSource to stop reconnecting)
  run_finished,
};

/// One row of the catalogue.
struct api_code_info {
  api_code code;
  std::string_view name;
  std::uint16_t status;
  std::string_view when;
};

/// The whole catalogue, in the order of `api_code`.
const api_code_info* api_catalogue_begin();
const api_code_info* api_catalogue_end();

const api_code_info& info(api_code code);

std::string_view to_string(api_code code);

/// A client-facing failure: HTTP status, a stable machine-readable code, and
/// a sentence for people. A message between actors too (a rejected stream),
/// so it crosses nodes as three plain fields.
struct api_error {
  std::uint16_t status = 400;
  std::string code;
  std::string message;
  /// When trying again may work, in seconds (`Retry-After`); 0: not said.
  std::uint32_t retry_after_s = 0;

  /// The catalogue's status and name for `code`, with `message`.
  static api_error of(api_code code, std::string message);

  /// A request body that is not what its endpoint takes (400 bad_body).
  static api_error bad_body(std::string message);
  static api_error unknown_run(std::string_view message_id);
  static api_error unknown_session(std::string_view session_id);
  static api_error shutting_down();
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_error& x) {
  return f(caf::meta::type_name("api_error"), x.status, x.code, x.message,
           x.retry_after_s);
}

/// `{"error":{"status":400,"code":"...","message":"..."}}`
std::string error_body(const api_error& err);

} // namespace agenttheo
