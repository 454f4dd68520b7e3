#include "http/listener.hpp"

#include "config/log.hpp"
#include "http/http_connection.hpp"
#include "http/io_context_pool.hpp"

namespace agenttheo::http {

listener::listener(io_context_pool& contexts, server_context& ctx)
    : contexts_(contexts), acceptor_(net::make_strand(contexts.at(0))),
      backoff_(acceptor_.get_executor()), ctx_(ctx) {}

bool listener::open(const tcp::endpoint& endpoint, beast::error_code& ec) {
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  return !ec;
}

tcp::endpoint listener::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void listener::run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&listener::do_accept,
                                          shared_from_this()));
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->backoff_.cancel();
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  // Each connection gets its own strand, so several I/O threads of its
  // context can serve connections without locks. The contexts take the
  // connections in a turn of their own: one shared with other work (say,
  // one job for each connection accepted) could hand them all one context.
  auto& context = contexts_.at(accepted_++ % contexts_.size());
  acceptor_.async_accept(
    net::make_strand(context),
    beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open())
    return;
  if (ec) {
    // Out of file descriptors, say: retrying at once would spin.
    log(log_level::warn, "accept failed: ", ec.message());
    backoff_.expires_after(std::chrono::milliseconds{100});
    backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec)
        self->do_accept();
    });
    return;
  }
  tune(socket);
  std::make_shared<http_connection>(std::move(socket), ctx_)->run();
  do_accept();
}

void listener::tune(tcp::socket& socket) const {
  beast::error_code ignored;
  // Events are small and latency matters more than packet count.
  socket.set_option(tcp::no_delay(true), ignored);
  if (ctx_.config.streams.socket_send_buffer > 0)
    socket.set_option(net::socket_base::send_buffer_size(static_cast<int>(
                        ctx_.config.streams.socket_send_buffer)),
                      ignored);
}

} // namespace agenttheo::http
