#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/mcp_messages.hpp"
#include "messages/run_view.hpp"
#include "messages/session_request.hpp"
#include "messages/steer_request.hpp"
#include "messages/stream_request.hpp"
#include "protocol/rerun_body.hpp"
#include "protocol/sse_writer.hpp"
#include "protocol/ws_writer.hpp"

namespace agenttheo {

/// An answer of the JSON API: its HTTP status and JSON body.
struct api_result {
  api_result() = default;
  api_result(std::uint16_t status, std::string json, std::uint32_t retry_after_s = 0,
             std::string content_type = {})
    : status(status), json(std::move(json)), retry_after_s(retry_after_s),
      content_type(std::move(content_type)) {
  }

  std::uint16_t status = 200;
  /// The body: JSON unless `content_type` says otherwise.
  std::string json;
  /// A refusal's `Retry-After`, in seconds; 0: none.
  std::uint32_t retry_after_s = 0;
  /// Empty for JSON.
  std::string content_type;
};

using api_callback = std::function<void(api_result)>;

/// How the socket side reaches the actors. Every call returns at once;
/// answers come back through callbacks (which must post to a strand before
/// touching a socket). Keeps CAF out of the Beast translation units.
class actor_bridge {
public:
  virtual ~actor_bridge() = default;

  /// Spawns the `sse_connection` actor that serves `request` over `writer`
  /// (a run's stream, or with `whole_session` a session's).
  virtual void open_stream(std::shared_ptr<sse_writer> writer,
                           stream_request request, std::string cors_origin)
    = 0;

  /// What a `GET /ws` socket's actor needs to know of its client.
  struct websocket_client {
    std::size_t max_command_length = 4000;
    /// Who it is, for the per-client limits.
    std::string client;
    /// Messages a second it may send (0: any).
    std::size_t messages_per_second = 0;
    /// Input events a second it may send to a page it controls (0: any).
    std::size_t input_events_per_second = 0;
  };

  /// Spawns the `ws_connection` actor that serves a `GET /ws` socket.
  virtual void open_websocket(std::shared_ptr<ws_writer> writer,
                              websocket_client client)
    = 0;

  /// The `/api/sessions` document, or nullopt if the manager did not answer.
  virtual void
  list_sessions(std::function<void(std::optional<std::string>)> reply)
    = 0;

  // The JSON API. A manager that does not answer in time gives a 503.

  /// A new idle session (`request.client` holds it).
  virtual void create_session(new_session_request request, api_callback reply) = 0;
  /// `GET /api/admin/clients`: the manager's per-client book, with the
  /// streams each client has open (`streams`, counted on this side).
  virtual void
  read_clients(std::vector<std::pair<std::string, std::uint64_t>> streams,
               std::function<void(std::optional<std::string>)> reply)
    = 0;

  virtual void describe_session(std::string session_id, api_callback reply) = 0;

  /// Stops the running run; with `remove`, every run and the session.
  /// `reason` is what the stream is told (empty: the API's own words).
  virtual void cancel_session(std::string session_id, bool remove,
                              std::string reason, api_callback reply)
    = 0;

  /// Renames it and changes its own secrets.
  virtual void update_session(update_session request, api_callback reply) = 0;

  /// `POST /mcp` and `DELETE /mcp` (the MCP actor answers; on its
  /// silence, a 503 with a JSON-RPC error).
  using mcp_callback = std::function<void(mcp_answer)>;
  virtual void mcp_message(mcp_post post, mcp_callback reply) = 0;
  virtual void mcp_end(mcp_delete request, mcp_callback reply) = 0;
  virtual void mcp_resume(agenttheo::mcp_resume request, mcp_callback reply) = 0;
  /// A `run_agent` call's answer: the run, streamed to `writer`.
  virtual void mcp_run(std::shared_ptr<sse_writer> writer, mcp_run_order order,
                       std::string cors_origin) = 0;
  /// `GET /mcp`'s stream of the server's own messages for an MCP session
  /// (`answer.listen`): resource updates.
  virtual void mcp_listen(std::shared_ptr<sse_writer> writer, const mcp_answer& answer,
                          std::string cors_origin) = 0;

  /// Decides an interrupt, pauses or resumes, takes or hands back control
  /// (`steer_session`, messages.hpp).
  virtual void steer_session(steer_session request, api_callback reply) = 0;

  /// `GET /api/tools`: the tool table as the model is given it, with what
  /// each tool may do (a page change) and the approval rules that apply.
  virtual std::string tools_json() = 0;

  /// Starts (or queues) a run nobody streams yet: 202 with where to watch.
  virtual void submit_run(stream_request request, api_callback reply) = 0;

  /// Starts a run that repeats a recorded one without the model
  /// (`POST /api/runs/{id}/rerun`): 202 as submit_run, or why not.
  virtual void rerun_run(rerun_order order, api_callback reply) = 0;

  virtual void read_run_events(std::string message_id, std::uint64_t after_id,
                               api_callback reply)
    = 0;

  /// What a recorded run shows (`run_view`, messages.hpp): its frames'
  /// index, one frame (`frame_id`), its video or its report.
  virtual void read_run_view(std::string message_id, run_view view,
                             std::uint64_t frame_id, api_callback reply)
    = 0;

  // Admin. The views come from the registry: JSON, or Prometheus text for
  // `metrics`; nullopt if it did not answer in time.

  /// `nodes` comes from the manager (a gateway's router knows its workers).
  enum class admin_view { actors, stats, metrics, nodes };

  virtual void read_admin(admin_view view,
                          std::function<void(std::optional<std::string>)> reply)
    = 0;

  /// Closes the connection actor `actor`; its client is told why.
  virtual void disconnect(std::uint64_t actor, api_callback reply) = 0;

  /// Spawns the actor that pushes the stats over `writer` every second.
  virtual void open_admin_stream(std::shared_ptr<sse_writer> writer,
                                 std::string cors_origin)
    = 0;
};

} // namespace agenttheo
