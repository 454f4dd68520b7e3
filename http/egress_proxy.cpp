#include "http/egress_proxy.hpp"

#include <thread>

#include "config/log.hpp"
#include "http/egress_connection.hpp"

namespace agenttheo::http {

struct egress_proxy::impl {
  explicit impl(egress_proxy_settings settings)
    : shared(std::make_shared<egress_shared>(std::move(settings))),
      acceptor(net::make_strand(ioc)) {
  }

  void accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [this](beast::error_code ec, tcp::socket socket) {
                            on_accept(ec, std::move(socket));
                          });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open())
      return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (shared->open.load() < shared->settings.max_connections)
        std::make_shared<egress_connection>(std::move(socket), shared)->run();
      else
        close_socket(socket);
    }
    accept();
  }

  net::io_context ioc{1};
  std::shared_ptr<egress_shared> shared;
  tcp::acceptor acceptor;
  std::thread thread;
  std::uint16_t port = 0;
};

egress_proxy::egress_proxy(egress_proxy_settings settings)
  : impl_(std::make_unique<impl>(std::move(settings))) {
}

egress_proxy::~egress_proxy() {
  stop();
}

std::optional<std::string> egress_proxy::start() {
  beast::error_code ec;
  tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), 0};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot start the browser's egress proxy: " + ec.message();
  impl_->port = acceptor.local_endpoint().port();
  impl_->shared->protect(impl_->port);
  impl_->accept();
  impl_->thread = std::thread{[io = &impl_->ioc] { io->run(); }};
  log(log_level::info, "the browser's traffic goes through the egress proxy at ", url());
  return std::nullopt;
}

std::string egress_proxy::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::uint16_t egress_proxy::port() const {
  return impl_->port;
}

void egress_proxy::protect_port(std::uint16_t port) {
  impl_->shared->protect(port);
}

const std::shared_ptr<egress_journal>& egress_proxy::journal() const {
  return impl_->shared->settings.journal;
}

void egress_proxy::stop() {
  if (!impl_->thread.joinable())
    return;
  impl_->ioc.stop();
  impl_->thread.join();
}

} // namespace agenttheo::http
