#pragma once

// `/mcp`: AgentTheo as a Model Context Protocol server over the
// Streamable HTTP transport. One actor keeps every MCP session; each maps
// to one AgentTheo session (its own browser context and conversation),
// made at `initialize` and ended by `DELETE /mcp` or with that session
// (its idle timeout, `DELETE /api/sessions/{id}`).

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "actors/mcp_tasks.hpp"
#include "messages/mcp_messages.hpp"

namespace agenttheo {

struct mcp_session_entry {
  /// The AgentTheo session it drives.
  std::string session_id;
  /// Who made it: only the same client may use it.
  std::string client;
  std::string protocol_version;
  bool initialized = false;
  /// The client declared elicitation: approvals and questions are asked.
  bool elicit = false;
  std::int64_t created_ms = 0;
  std::int64_t last_used_ms = 0;
  /// run_agent calls by request id (as JSON): what
  /// `notifications/cancelled` names. The last few only.
  std::map<std::string, std::string> runs;
  /// The last run_agent call, for a client that resumes its stream.
  mcp_run_order last_run;
  /// run_agent calls made as tasks, by task id (the last 64).
  std::map<std::string, mcp_task> tasks;
  /// `resources/subscribe`d URIs (at most 64).
  std::set<std::string> subscriptions;
  /// Its `GET /mcp` stream, if one is open.
  caf::actor listener;
};

struct mcp_server_state {
  caf::actor manager;
  /// By `Mcp-Session-Id`.
  std::map<std::string, mcp_session_entry> sessions;
  /// A sweep for MCP sessions whose AgentTheo session ended is due.
  bool sweep_scheduled = false;
  static inline const char* name = "mcp_server";
};

/// Most MCP sessions remembered; past it the longest unused is forgotten
/// (its AgentTheo session lives on under its own idle timeout).
inline constexpr std::size_t max_mcp_sessions = 4096;

caf::behavior mcp_server(caf::stateful_actor<mcp_server_state>* self, caf::actor manager);

} // namespace agenttheo
