#include "actors/mcp_resources.hpp"

#include "protocol/stream_params.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr std::string_view runs_prefix = "agenttheo://runs/";
constexpr std::string_view sessions_prefix = "agenttheo://sessions/";
constexpr std::string_view screenshot_suffix = "/screenshot";

} // namespace

std::string mcp_run_uri(std::string_view message_id) {
  return std::string{runs_prefix} + std::string{message_id};
}

std::string mcp_screenshot_uri(std::string_view session_id) {
  return std::string{sessions_prefix} + std::string{session_id}
         + std::string{screenshot_suffix};
}

std::optional<mcp_resource_uri> parse_mcp_resource_uri(std::string_view uri) {
  if (uri.substr(0, runs_prefix.size()) == runs_prefix) {
    auto id = uri.substr(runs_prefix.size());
    if (!is_safe_id(id))
      return std::nullopt;
    return mcp_resource_uri{mcp_resource_uri::kind::run, std::string{id}};
  }
  if (uri.substr(0, sessions_prefix.size()) == sessions_prefix
      && uri.size() > sessions_prefix.size() + screenshot_suffix.size()
      && uri.substr(uri.size() - screenshot_suffix.size()) == screenshot_suffix) {
    auto id = uri.substr(sessions_prefix.size(),
                         uri.size() - sessions_prefix.size() - screenshot_suffix.size());
    if (!is_safe_id(id))
      return std::nullopt;
    return mcp_resource_uri{mcp_resource_uri::kind::screenshot, std::string{id}};
  }
  return std::nullopt;
}

std::string mcp_resources_list_json(const std::string& session_id,
                                    const std::vector<std::string>& message_ids) {
  json_writer out;
  out.begin_object().key("resources").begin_array();
  out.begin_object()
    .field("uri", mcp_screenshot_uri(session_id))
    .field("name", "screenshot")
    .field("title", "The session's page, as it is now")
    .field("mimeType", "image/jpeg")
    .end_object();
  for (const auto& id : message_ids)
    out.begin_object()
      .field("uri", mcp_run_uri(id))
      .field("name", "run " + id)
      .field("title", "The run's events, in order")
      .field("mimeType", "application/json")
      .end_object();
  out.end_array().end_object();
  return out.str();
}

std::string mcp_resource_templates_json() {
  json_writer out;
  out.begin_object()
    .key("resourceTemplates")
    .begin_array()
    .begin_object()
    .field("uriTemplate", std::string{runs_prefix} + "{messageId}")
    .field("name", "run")
    .field("title", "Any run's events, by its messageId")
    .field("mimeType", "application/json")
    .end_object()
    .end_array()
    .end_object();
  return out.str();
}

std::string mcp_resource_contents_json(std::string_view uri, std::string_view mime,
                                       std::string_view data, bool blob) {
  json_writer out;
  out.begin_object()
    .key("contents")
    .begin_array()
    .begin_object()
    .field("uri", uri)
    .field("mimeType", mime)
    .field(blob ? "blob" : "text", data)
    .end_object()
    .end_array()
    .end_object();
  return out.str();
}

} // namespace agenttheo
