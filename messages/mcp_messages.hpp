#pragma once

// What the socket side and the MCP actor say to each other about `/mcp`,
// and the one thing MCP asks of a session that the rest of the API does
// not: run a single browser tool on its page.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include "messages/stream_request.hpp"

namespace agenttheo {

/// `POST /mcp`: one JSON-RPC message, with the transport's headers.
struct mcp_post {
  /// `Mcp-Session-Id` (empty when absent).
  std::string mcp_session;
  /// `MCP-Protocol-Version` (empty when absent).
  std::string protocol_version;
  std::string body;
  /// The per-client identity, as for `/api/*`.
  std::string client;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_post& x) {
  return f(caf::meta::type_name("mcp_post"), x.mcp_session, x.protocol_version, x.body,
           x.client);
}

/// `DELETE /mcp`: ends the MCP session and its AgentTheo session.
struct mcp_delete {
  std::string mcp_session;
  std::string client;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_delete& x) {
  return f(caf::meta::type_name("mcp_delete"), x.mcp_session, x.client);
}

/// `tools/call run_agent`: the run to start, answered as an SSE stream of
/// progress notifications and then the call's result.
struct mcp_run_order {
  std::string session_id;
  std::string message_id;
  std::string command;
  std::uint64_t max_steps = 0;
  /// The request's id and `_meta.progressToken` as JSON (token empty:
  /// none asked for, so no progress is sent).
  std::string request_id_json;
  std::string progress_token_json;
  std::string client;
  /// A stream broken mid-run, picked up again (`GET /mcp` with
  /// `Last-Event-ID`), or a task's answer (`tasks/result`): the run's
  /// events after this id, not a new run.
  bool resume = false;
  std::uint64_t resume_after = 0;
  /// `output_schema` of the call (JSON; empty: a plain answer).
  std::string output_schema;
  /// The client declared elicitation: the run's approvals and questions
  /// are asked on this stream.
  bool elicit = false;
  /// Answering `tasks/result` for this task (the run's messageId): the
  /// result and requests say so in `_meta`.
  std::string task_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_run_order& x) {
  return f(caf::meta::type_name("mcp_run_order"), x.session_id, x.message_id, x.command,
           x.max_steps, x.request_id_json, x.progress_token_json, x.client, x.resume,
           x.resume_after, x.output_schema, x.elicit, x.task_id);
}

/// The run a run_agent call starts, asked for as the other doors ask.
inline stream_request run_request_of(const mcp_run_order& order) {
  stream_request req;
  req.session_id = order.session_id;
  req.message_id = order.message_id;
  req.command = order.command;
  req.max_steps = order.max_steps;
  req.output_schema = order.output_schema;
  req.client = order.client;
  return req;
}

/// `GET /mcp`. With `Last-Event-ID`: the MCP session's last run_agent
/// stream, again from after that event; without (`listen`): the stream of
/// the server's own messages (resource updates).
struct mcp_resume {
  std::string mcp_session;
  std::string client;
  std::uint64_t last_event_id = 0;
  bool listen = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_resume& x) {
  return f(caf::meta::type_name("mcp_resume"), x.mcp_session, x.client, x.last_event_id,
           x.listen);
}

/// The HTTP answer to either: status, a JSON body (or none: 202), and the
/// `Mcp-Session-Id` to send (after initialize); or, with `stream`, a run
/// whose answer is an event stream; or, with `listen`, the MCP session's
/// own stream (`mcp_session`, and its AgentTheo session as
/// `run.session_id`).
struct mcp_answer {
  std::uint16_t status = 200;
  std::string body;
  std::string mcp_session;
  bool stream = false;
  mcp_run_order run;
  bool listen = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_answer& x) {
  return f(caf::meta::type_name("mcp_answer"), x.status, x.body, x.mcp_session, x.stream,
           x.run, x.listen);
}

/// A `GET /mcp` stream opened: its actor, for the MCP actor to keep (one
/// per MCP session: a newer one replaces it).
struct mcp_listener {
  std::string mcp_session;
  std::string client;
  caf::actor stream;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_listener& x) {
  return f(caf::meta::type_name("mcp_listener"), x.mcp_session, x.client, x.stream);
}

/// The resources an MCP session subscribed to (`resources/subscribe`),
/// for its `GET /mcp` stream to send `notifications/resources/updated`.
struct mcp_subscriptions {
  std::vector<std::string> uris;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_subscriptions& x) {
  return f(caf::meta::type_name("mcp_subscriptions"), x.uris);
}

/// Runs one page tool in a session, outside any run (an MCP client that
/// drives the browser itself). Answered with an api_reply:
/// `{"ok","output","image","url"}`, or 409 while a run or a person holds
/// the browser.
struct session_tool {
  std::string session_id;
  std::string name;
  std::string arguments_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_tool& x) {
  return f(caf::meta::type_name("session_tool"), x.session_id, x.name, x.arguments_json);
}

} // namespace agenttheo
