#include "protocol/routes.hpp"

#include <optional>

#include "web/web_assets.hpp"

namespace agenttheo {

namespace {

constexpr std::string_view read_only = "GET, HEAD, OPTIONS";
constexpr std::string_view stream_methods = "GET, OPTIONS";
constexpr std::string_view list_or_create = "GET, HEAD, POST, OPTIONS";
constexpr std::string_view read_or_delete = "GET, HEAD, PATCH, DELETE, OPTIONS";
constexpr std::string_view post_only = "POST, OPTIONS";

/// `method` is one of the comma-separated names in `allow`.
bool listed(std::string_view allow, std::string_view method) {
  while (!allow.empty()) {
    auto comma = allow.find(',');
    auto name = allow.substr(0, comma);
    if (name == method)
      return true;
    if (comma == std::string_view::npos)
      break;
    allow.remove_prefix(comma + 1);
    while (!allow.empty() && allow.front() == ' ')
      allow.remove_prefix(1);
  }
  return false;
}

route_match match(route target, std::string_view allow, std::string_view method,
                  std::string_view param = {}) {
  return {target, allow, listed(allow, method), std::string{param}, {}};
}

/// Splits `rest` ("{id}" or "{id}/{tail}") into the id and the tail.
std::pair<std::string_view, std::string_view> id_and_tail(std::string_view rest) {
  auto slash = rest.find('/');
  if (slash == std::string_view::npos)
    return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

/// `interrupts/{interrupt_id}` after a session's id.
std::optional<route_match> interrupt_route(route target, std::string_view method,
                                           std::string_view id,
                                           std::string_view tail) {
  constexpr std::string_view interrupts = "interrupts/";
  if (tail.substr(0, interrupts.size()) != interrupts
      || tail.size() == interrupts.size())
    return std::nullopt;
  auto found = match(target, post_only, method, id);
  found.param2 = std::string{tail.substr(interrupts.size())};
  return found;
}

/// `artifacts` or `artifacts/{name}` after a session's id.
route_match artifact_route(std::string_view method, std::string_view id,
                           std::string_view tail) {
  constexpr std::string_view artifacts = "artifacts";
  if (tail == artifacts)
    return match(route::session_artifacts, list_or_create, method, id);
  if (tail.substr(0, artifacts.size() + 1) != "artifacts/"
      || tail.size() == artifacts.size() + 1)
    return {};
  auto found = match(route::session_artifact, read_only, method, id);
  found.param2 = std::string{tail.substr(artifacts.size() + 1)};
  return found;
}

route_match admin_route(std::string_view method, std::string_view path) {
  constexpr std::string_view sessions = "sessions/";
  constexpr std::string_view connections = "connections/";
  auto rest = path.substr(std::string_view{"/api/admin/"}.size());
  if (rest == "actors")
    return match(route::admin_actors, read_only, method);
  if (rest == "stats")
    return match(route::admin_stats, read_only, method);
  if (rest == "nodes")
    return match(route::admin_nodes, read_only, method);
  if (rest == "stream")
    return match(route::admin_stream, stream_methods, method);
  if (rest == "clients")
    return match(route::admin_clients, read_only, method);
  if (rest.substr(0, sessions.size()) == sessions) {
    auto [id, tail] = id_and_tail(rest.substr(sessions.size()));
    if (!id.empty() && tail == "cancel")
      return match(route::admin_session_cancel, post_only, method, id);
    if (!id.empty() && tail == "end")
      return match(route::admin_session_end, post_only, method, id);
    if (!id.empty())
      if (auto found = interrupt_route(route::admin_session_interrupt, method, id, tail))
        return *found;
  }
  if (rest.substr(0, connections.size()) == connections) {
    auto [id, tail] = id_and_tail(rest.substr(connections.size()));
    if (!id.empty() && tail == "disconnect")
      return match(route::admin_disconnect, post_only, method, id);
  }
  return {};
}

route_match api_route(std::string_view method, std::string_view path) {
  constexpr std::string_view sessions = "/api/sessions/";
  if (path.substr(0, 11) == "/api/admin/")
    return admin_route(method, path);
  constexpr std::string_view runs = "/api/runs/";
  if (path.substr(0, sessions.size()) == sessions) {
    auto [id, tail] = id_and_tail(path.substr(sessions.size()));
    if (id.empty())
      return {};
    if (tail.empty())
      return match(route::session, read_or_delete, method, id);
    if (tail == "runs")
      return match(route::session_runs, post_only, method, id);
    if (tail == "cancel")
      return match(route::session_cancel, post_only, method, id);
    if (tail == "stream")
      return match(route::session_stream, stream_methods, method, id);
    if (tail == "pause")
      return match(route::session_pause, post_only, method, id);
    if (tail == "resume")
      return match(route::session_resume, post_only, method, id);
    if (tail == "control")
      return match(route::session_control, post_only, method, id);
    if (auto found = interrupt_route(route::session_interrupt, method, id, tail))
      return *found;
    return artifact_route(method, id, tail);
  }
  if (path.substr(0, runs.size()) == runs) {
    auto [id, tail] = id_and_tail(path.substr(runs.size()));
    if (!id.empty() && tail == "events")
      return match(route::run_events, read_only, method, id);
    if (!id.empty() && tail == "frames")
      return match(route::run_frames, read_only, method, id);
    if (!id.empty() && tail == "video")
      return match(route::run_video, read_only, method, id);
    if (!id.empty() && tail == "report")
      return match(route::run_report, read_only, method, id);
    if (!id.empty() && tail == "rerun")
      return match(route::run_rerun, post_only, method, id);
    constexpr std::string_view frames = "frames/";
    if (!id.empty() && tail.substr(0, frames.size()) == frames
        && tail.size() > frames.size()) {
      auto found = match(route::run_frame, read_only, method, id);
      found.param2 = std::string{tail.substr(frames.size())};
      return found;
    }
  }
  return {};
}

} // namespace

route_match resolve_route(std::string_view method, std::string_view path) {
  if (path == "/stream")
    return match(route::stream, stream_methods, method);
  if (path == "/ws")
    return match(route::websocket, "GET", method);
  if (path == "/health")
    return match(route::health, read_only, method);
  if (path == "/api/sessions")
    return match(route::sessions, list_or_create, method);
  if (path == "/api/tools")
    return match(route::tools, read_only, method);
  if (path == "/metrics")
    return match(route::metrics, read_only, method);
  if (path == "/mcp")
    return match(route::mcp, "GET, POST, DELETE, OPTIONS", method);
  if (path.substr(0, 5) == "/api/")
    return api_route(method, path);
  if (find_web_asset(web_asset_path(path)))
    return match(route::web_asset, read_only, method);
  return {};
}

std::string_view web_asset_path(std::string_view path) {
  if (path == "/admin")
    return "/admin.html";
  // Browsers ask for /favicon.ico whatever the page says; it is an SVG.
  if (path == "/favicon.ico")
    return "/favicon.svg";
  return path;
}

} // namespace agenttheo
