#include "http/server.hpp"

#include <algorithm>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "config/log.hpp"
#include "http/listener.hpp"

namespace agenttheo::http {

namespace {

/// An I/O thread: named, so `top -H` and the tests tell them apart.
std::thread io_thread(net::io_context& ioc) {
  return std::thread{[&ioc] {
    pthread_setname_np(pthread_self(), "agenttheo.io");
    ioc.run();
  }};
}

} // namespace

struct server::impl {
  explicit impl(const server_config& config)
    : ioc(static_cast<int>(std::max(1u, config.io_threads))),
      signals(ioc, SIGINT, SIGTERM), work(std::in_place, net::make_work_guard(ioc)) {
    ctx.config = config;
    ctx.hosts = make_host_rules(config.host, config.allowed_hosts);
    ctx.streams_per_client.set_limit(config.clients.max_streams);
    signals.async_wait([this](beast::error_code ec, int signal) {
      if (!ec) {
        log(log_level::info, "received signal ", signal, ", shutting down");
        stop_signal.set_value();
      }
    });
  }

  net::io_context ioc;
  net::signal_set signals;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  /// keep_context_after_stop: the thread that runs the context after stop.
  std::thread keeper;
  bool keep_context = false;
  server_context ctx;
  std::shared_ptr<listener> acceptor;
  std::vector<std::thread> threads;
  std::promise<void> stop_signal;
  std::uint16_t bound_port = 0;
};

server::server(const server_config& config)
  : impl_(std::make_unique<impl>(config)) {
}

server::~server() {
  stop();
  if (impl_->keeper.joinable()) {
    impl_->work.reset();
    impl_->ioc.stop();
    impl_->keeper.join();
  }
}

void server::watch_store(std::shared_ptr<const store_inbox> store) {
  impl_->ctx.store = std::move(store);
}

std::optional<std::string> server::start(actor_bridge& bridge) {
  auto& d = *impl_;
  d.ctx.bridge = &bridge;
  beast::error_code ec;
  auto address = net::ip::make_address(d.ctx.config.host, ec);
  if (ec) {
    // A host name: resolve it once, synchronously, before serving.
    tcp::resolver resolver{d.ioc};
    auto results = resolver.resolve(d.ctx.config.host, "", ec);
    if (ec || results.empty())
      return "HOST: cannot resolve '" + d.ctx.config.host + "'";
    address = results.begin()->endpoint().address();
  }
  d.acceptor = std::make_shared<listener>(d.ioc, d.ctx);
  if (!d.acceptor->open({address, d.ctx.config.port}, ec))
    return "cannot listen on " + d.ctx.config.host + ":"
           + std::to_string(d.ctx.config.port) + ": " + ec.message();
  d.bound_port = d.acceptor->local_endpoint().port();
  d.acceptor->run();
  for (unsigned i = 0; i < d.ctx.config.io_threads; ++i)
    d.threads.push_back(io_thread(d.ioc));
  return std::nullopt;
}

boost::asio::io_context& server::io_context() {
  return impl_->ioc;
}

void server::keep_context_after_stop() {
  impl_->keep_context = true;
}

std::uint16_t server::port() const {
  return impl_->bound_port;
}

void server::wait_for_stop_signal() {
  impl_->stop_signal.get_future().wait();
}

void server::stop_accepting() {
  if (impl_->acceptor)
    impl_->acceptor->stop();
}

bool server::drain(std::chrono::milliseconds grace) {
  auto& connections = impl_->ctx.connections;
  // The sessions' last events are still on their way to the sockets (one
  // actor hop or two): a moment for them, then every stream that does not
  // end by itself (a WebSocket) is closed as a server going away (1001),
  // after what it has queued.
  auto settle = std::min(grace, std::chrono::milliseconds{200});
  if (connections.wait_until_empty(settle))
    return true;
  connections.going_away();
  return connections.wait_until_empty(grace - settle);
}

void server::stop() {
  auto& d = *impl_;
  if (!d.threads.empty()) {
    d.work.reset();
    d.ioc.stop();
    for (auto& thread : d.threads)
      thread.join();
    d.threads.clear();
    d.ctx.connections.close_all();
  }
  // Actors on the I/O context still need it while the actor system shuts
  // down: one thread runs it until the server goes.
  if (d.keep_context && !d.keeper.joinable()) {
    d.ioc.restart();
    d.work.emplace(net::make_work_guard(d.ioc));
    d.keeper = io_thread(d.ioc);
  }
}

} // namespace agenttheo::http
