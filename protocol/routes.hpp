#pragma once

#include <string>
#include <string_view>

namespace agenttheo {

enum class route {
  web_asset,
  health,
  /// /api/sessions: list (GET), create (POST)
  sessions,
  /// /api/sessions/{id}: describe (GET), delete (DELETE)
  session,
  /// /api/sessions/{id}/runs: start a run (POST)
  session_runs,
  /// /api/sessions/{id}/cancel: stop the running run (POST)
  session_cancel,
  /// /api/sessions/{id}/stream: every run of the session, live (GET)
  session_stream,
  /// /api/sessions/{id}/interrupts/{interrupt_id}: decide it (POST)
  session_interrupt,
  /// /api/sessions/{id}/pause, /resume: hold the run between steps (POST)
  session_pause,
  session_resume,
  /// /api/sessions/{id}/control: take or hand back the browser (POST)
  session_control,
  /// /api/sessions/{id}/artifacts: list the session's files (GET), post
  /// one (POST)
  session_artifacts,
  /// /api/sessions/{id}/artifacts/{name}: one file (GET)
  session_artifact,
  /// /api/runs/{messageId}/events: a run's events as JSON (GET)
  run_events,
  /// /api/runs/{messageId}/frames: the run's recorded frames (GET)
  run_frames,
  /// /api/runs/{messageId}/frames/{id}: one frame, a JPEG (GET)
  run_frame,
  /// /api/runs/{messageId}/video: an MP4 of its frames (GET)
  run_video,
  /// /api/runs/{messageId}/report: one self-contained HTML page (GET)
  run_report,
  /// /api/runs/{messageId}/rerun: repeat the run without the model (POST)
  run_rerun,
  /// /api/tools: every tool the model is given (GET)
  tools,
  stream,
  /// /ws: the WebSocket transport (GET with Upgrade)
  websocket,
  /// /api/admin/actors: the actor tree (GET)
  admin_actors,
  /// /api/admin/stats: totals, rates, latencies (GET)
  admin_stats,
  /// /api/admin/nodes: a gateway's worker nodes and their health (GET)
  admin_nodes,
  /// /api/admin/stream: the stats, pushed every second over SSE (GET)
  admin_stream,
  /// /api/admin/clients: the busiest clients against their limits (GET)
  admin_clients,
  /// /api/admin/sessions/{id}/cancel: stop its running run (POST)
  admin_session_cancel,
  /// /api/admin/sessions/{id}/end: end the session (POST)
  admin_session_end,
  /// /api/admin/sessions/{id}/interrupts/{interrupt_id}: decide it as the
  /// operator (POST)
  admin_session_interrupt,
  /// /api/admin/connections/{actor}/disconnect: close a stream (POST)
  admin_disconnect,
  /// /metrics: Prometheus text exposition (GET)
  metrics,
  /// /mcp: the Model Context Protocol's Streamable HTTP endpoint (POST a
  /// message, GET with Last-Event-ID resumes a stream, DELETE the session)
  mcp,
  not_found,
};

/// What a request path maps to, and which methods it takes.
struct route_match {
  route target = route::not_found;
  /// The `Allow` header for this path, e.g. "GET, HEAD, OPTIONS".
  std::string_view allow;
  /// Whether `method` is one of them.
  bool method_allowed = false;
  /// The id in the path (`{id}`, `{messageId}`), still to be validated.
  std::string param;
  /// A second id (`{interrupt_id}`, an artifact's `{name}` still
  /// percent-encoded), still to be validated.
  std::string param2;
};

route_match resolve_route(std::string_view method, std::string_view path);

/// The compiled-in file a path serves (`/admin` is the console's page).
std::string_view web_asset_path(std::string_view path);

} // namespace agenttheo
