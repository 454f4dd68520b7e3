#pragma once

// Human-in-the-loop over MCP: a run's approval or question becomes an
// `elicitation/create` request to a client that declared the elicitation
// capability, and the user's answer decides the interrupt as the
// interrupts API would (`by: mcp`). A takeover is not asked: it hands the
// browser to a person in the web UI, which a form cannot do.

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// The `elicitation/create` request (a whole JSON-RPC message) that asks
/// about the interrupt an `interrupt` event's data describes; nothing for
/// a takeover. `task_id` non-empty: the request belongs to that task.
std::optional<std::string> mcp_elicitation_request(std::string_view interrupt_json,
                                                   std::string_view task_id);

struct mcp_elicited_decision {
  std::string interrupt_id;
  /// The interrupts API's body: `{"decision", "answer"?, "message"?}`.
  std::string body_json;
};

/// What a client's response to one of those requests decides (`id_json`
/// and its `result`): `accept` approves or answers, `decline` rejects.
/// Nothing when it is not such a response, or for `cancel` (the user
/// dismissed it: the interrupt waits for the web UI, the API or its
/// timeout).
std::optional<mcp_elicited_decision> mcp_elicitation_decision(std::string_view id_json,
                                                              std::string_view result_json);

} // namespace agenttheo
