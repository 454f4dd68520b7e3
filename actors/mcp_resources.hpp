#pragma once

// What an MCP session offers to read as resources: each of its runs'
// event logs (`agenttheo://runs/{messageId}`, any run the client may read
// by that template) and its page as it is now
// (`agenttheo://sessions/{id}/screenshot`).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

struct mcp_resource_uri {
  enum class kind { run, screenshot };
  kind type = kind::run;
  /// The run's messageId, or the session's id.
  std::string id;
};

/// `agenttheo://runs/{messageId}`, `agenttheo://sessions/{id}/screenshot`.
std::string mcp_run_uri(std::string_view message_id);
std::string mcp_screenshot_uri(std::string_view session_id);

/// What `uri` names, or nothing when it is not one of ours.
std::optional<mcp_resource_uri> parse_mcp_resource_uri(std::string_view uri);

/// `resources/list`: the session's screenshot, then its runs.
std::string mcp_resources_list_json(const std::string& session_id,
                                    const std::vector<std::string>& message_ids);

/// `resources/templates/list`: any run by its messageId.
std::string mcp_resource_templates_json();

/// `resources/read`'s result: one text or blob (base64) content.
std::string mcp_resource_contents_json(std::string_view uri, std::string_view mime,
                                       std::string_view data, bool blob);

} // namespace agenttheo
