#pragma once

// The answer to an MCP `tools/call run_agent`: a `text/event-stream` that
// carries the run's progress as `notifications/progress` and ends with
// the call's result (the answer, the last screenshot, `complete`'s fields
// as structuredContent). The run is an ordinary run of the MCP session's
// AgentTheo session, streamed and logged like any other. Its approvals
// and questions are asked on it as elicitation requests when the client
// takes them; the same stream answers `tasks/result` for a run started
// as a task.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "messages/mcp_messages.hpp"
#include "protocol/sse_writer.hpp"

namespace agenttheo {

struct mcp_run_stream_state {
  std::shared_ptr<sse_writer> writer;
  mcp_run_order order;
  std::string cors_origin;
  caf::actor session;
  /// The first event's id went out (as the priming event).
  bool primed = false;
  /// The run's last screenshot (base64 JPEG), for the result.
  std::string last_image;
  bool finished = false;
  /// Interrupts of the run not yet decided (their `interrupt` data), and
  /// those asked about (elicitation, when the client takes it).
  std::map<std::string, std::string> undecided;
  std::set<std::string> asked;

  static inline const char* name = "mcp_run_stream";
};

caf::behavior mcp_run_stream(caf::stateful_actor<mcp_run_stream_state>* self,
                             std::shared_ptr<sse_writer> writer, mcp_run_order order,
                             std::string cors_origin, caf::actor manager);

} // namespace agenttheo
