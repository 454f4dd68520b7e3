#pragma once

// `run_agent` as an MCP task (specification 2025-11-25): the call answers
// at once with a task, the run goes on without a stream, and the client
// polls `tasks/get` and fetches the answer with `tasks/result`, after a
// reconnect too. A task is its run: the task id is the run's messageId,
// and its status is read from the run as the session keeps it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace agenttheo {

struct mcp_task {
  /// The run's messageId.
  std::string task_id;
  std::int64_t created_ms = 0;
  /// How long the client asked the task be kept (0: as long as the
  /// session keeps the run; reported as `null`).
  std::int64_t ttl_ms = 0;
};

/// How often a client should poll, in milliseconds (the task's
/// `pollInterval`).
inline constexpr std::int64_t mcp_task_poll_ms = 500;

/// A task's status from its run as `GET /api/sessions/{id}` lists it
/// (`state`, `status`, `outcome`): `working`, `input_required` (an
/// interrupt waits), `completed`, `failed` (the tool result would be an
/// error: max_steps, failed) or `cancelled`.
std::string_view mcp_task_status(std::string_view state, std::string_view status,
                                 std::string_view outcome);

bool is_terminal_task_status(std::string_view status);

/// The Task object: `{taskId, status, statusMessage?, createdAt,
/// lastUpdatedAt, ttl, pollInterval}` (times in ISO 8601, UTC).
std::string mcp_task_json(const mcp_task& task, std::string_view status,
                          std::string_view status_message, std::int64_t updated_ms);

/// A task as its run is now.
struct mcp_task_view {
  std::string_view status;
  std::string message;
  std::int64_t updated_ms = 0;
};

/// Reads the task's run from its session as `GET /api/sessions/{id}`
/// describes it (`session_json`): the status, a `statusMessage` (the step,
/// or the answer), when it last changed. A run the session keeps no longer
/// is `failed`.
mcp_task_view mcp_task_view_of(const std::string& session_json, const mcp_task& task);

/// `tasks/list`'s result: `{"tasks":[Task…]}`, read from one describe.
std::string mcp_task_list_json(const std::string& session_json,
                               const std::map<std::string, mcp_task>& tasks);

/// `2026-12-02T22:45:45.123Z`.
std::string iso8601_utc(std::int64_t unix_ms);

} // namespace agenttheo
