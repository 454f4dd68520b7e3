#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "http/beast.hpp"
#include "protocol/routes.hpp"
#include "protocol/server_context.hpp"

namespace agenttheo {
class artifact_folder;
} // namespace agenttheo

namespace agenttheo::http {

/// One HTTP connection: reads requests, answers the JSON API and the web UI
/// (keeping the connection alive), or hands the socket to an SSE stream.
class http_connection : public std::enable_shared_from_this<http_connection> {
public:
  http_connection(tcp::socket socket, server_context& ctx);

  void run();

private:
  using request = bhttp::request<bhttp::string_body>;

  /// What a response must know of the request it answers.
  struct reply_to {
    unsigned version = 11;
    bool keep_alive = false;
    bool head_only = false;
    std::string cors_origin;
  };

  void do_read();
  /// The head is read: a file posted to a session's artifacts may have a
  /// body as large as they may hold; anything else, 64 KiB.
  void on_header(beast::error_code ec, std::size_t bytes);
  void read_body();
  void on_read(beast::error_code ec, std::size_t bytes);
  void handle(request req);
  void serve_stream(const request& req, const reply_to& to);
  void serve_session_stream(const request& req, const reply_to& to,
                            const std::string& session_id);
  void serve_websocket(request req, const reply_to& to);
  void open_sse(const request& req, stream_request request,
                const std::string& cors_origin);
  void serve_api(const request& req, const reply_to& to, const route_match& match);
  void serve_sessions(const reply_to& to);
  // -- artifacts (artifact_routes.cpp) --
  std::uint64_t upload_limit() const;
  void serve_artifacts(request req, const reply_to& to, const route_match& match);
  void on_artifacts(const request& req, const reply_to& to,
                    const artifact_folder& folder, route target,
                    const std::string& name);
  void send_file(const reply_to& to, const std::filesystem::path& file,
                 const std::string& name);
  void serve_admin_view(const reply_to& to, actor_bridge::admin_view view);
  void steer(const request& req, const reply_to& to, const route_match& match,
             api_callback reply);
  void serve_clients(const reply_to& to);
  /// `/mcp` (see actors/mcp_server.hpp).
  void serve_mcp(const request& req, const reply_to& to);
  void resume_mcp(const request& req, const reply_to& to, std::string session,
                  actor_bridge::mcp_callback reply);
  /// A `run_agent` call: this connection becomes its event stream.
  std::shared_ptr<sse_writer> mcp_writer(unsigned version, const reply_to& to);
  void open_mcp_stream(unsigned version, const reply_to& to, mcp_run_order order);
  void open_mcp_listen(unsigned version, const reply_to& to, const mcp_answer& answer);
  /// A lease on one of the client's streams, or null after answering 429.
  std::shared_ptr<void> stream_lease(const reply_to& to);
  /// How every SSE response of ours is written (the stream's own choices,
  /// such as gzip, are added by the caller).
  sse_writer_options sse_options() const;
  void serve_admin_action(const reply_to& to, const route_match& match,
                          api_callback reply);
  void open_admin_stream(const request& req, const reply_to& to);
  /// Sends the API's answer on this connection, from whatever thread.
  api_callback answer_api(const reply_to& to);
  /// The same for the manager's JSON documents (503 if it did not answer).
  std::function<void(std::optional<std::string>)>
  answer_manager_json(const reply_to& to);
  void send(const reply_to& to, simple_response res);
  void send_raw(bhttp::response<bhttp::string_body> res);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void do_close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<void> pending_response_;
  server_context& ctx_;
  /// Who sent the current request (its token, else its address), for the
  /// per-client limits.
  std::string client_;
};

} // namespace agenttheo::http
