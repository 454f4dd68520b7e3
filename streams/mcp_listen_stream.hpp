#pragma once

// `GET /mcp` without `Last-Event-ID`: the MCP session's stream of the
// server's own messages. It follows the MCP session's AgentTheo session
// (as `/api/sessions/{id}/stream` does) and tells the client, as
// `notifications/resources/updated`, when a resource it subscribed to
// changed: the page's screenshot after each new one, a run's event log
// as its run goes (at most every quarter second, and at its end). Its
// events carry no ids: a notification is not replayed.

#include <memory>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "protocol/sse_writer.hpp"

namespace agenttheo {

struct mcp_listen_order {
  std::string mcp_session;
  std::string session_id;
  std::string client;
};

struct mcp_listen_stream_state {
  std::shared_ptr<sse_writer> writer;
  mcp_listen_order order;
  std::set<std::string> subscribed;
  /// Updated resources not yet told (run logs wait for the next flush).
  std::set<std::string> pending;
  bool flush_scheduled = false;

  static inline const char* name = "mcp_listen_stream";
};

caf::behavior mcp_listen_stream(caf::stateful_actor<mcp_listen_stream_state>* self,
                                std::shared_ptr<sse_writer> writer, mcp_listen_order order,
                                std::string cors_origin, caf::actor manager,
                                caf::actor mcp);

} // namespace agenttheo
