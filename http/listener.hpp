#pragma once

#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "http/beast.hpp"
#include "protocol/server_context.hpp"

namespace agenttheo::http {

class io_context_pool;

/// Accepts connections and starts an `http_connection` for each, on the
/// pool's contexts in turn.
class listener : public std::enable_shared_from_this<listener> {
public:
  listener(io_context_pool& contexts, server_context& ctx);

  /// Opens, binds and listens; false (with `ec` set) if that fails.
  bool open(const tcp::endpoint& endpoint, beast::error_code& ec);

  tcp::endpoint local_endpoint() const;

  void run();

  /// Stops accepting; open connections are left to finish.
  void stop();

private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void tune(tcp::socket& socket) const;

  io_context_pool& contexts_;
  /// Connections accepted: whose turn the next one is.
  std::size_t accepted_ = 0;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;
  server_context& ctx_;
};

} // namespace agenttheo::http
