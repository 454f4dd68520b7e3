#pragma once

// The tools AgentTheo offers an MCP client, generated from the one tool
// table (page_tools): each page tool as `browser_<name>`, its JSON schema
// as `inputSchema`, and annotations from whether it changes the page.

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

inline constexpr std::string_view mcp_browser_prefix = "browser_";
inline constexpr std::string_view mcp_run_agent = "run_agent";
inline constexpr std::string_view mcp_list_sessions = "list_sessions";
inline constexpr std::string_view mcp_get_run_events = "get_run_events";

/// The `tools/list` result: `run_agent`, `list_sessions`,
/// `get_run_events`, then the page tools:
/// `{"tools":[{"name","description","inputSchema","annotations":
/// {"readOnlyHint","destructiveHint"}}]}`.
std::string mcp_tools_list_json();

/// A `tools/call` result: `text` as text content, a JPEG (base64; empty:
/// none) as image content, `structured` JSON (empty: none) as
/// structuredContent, and whether the call failed.
std::string mcp_tool_result(std::string_view text, std::string_view jpeg_base64,
                            std::string_view structured, bool is_error);

/// The page tool an MCP tool name stands for (`browser_click` → `click`).
std::optional<std::string> page_tool_of(std::string_view mcp_name);

} // namespace agenttheo
