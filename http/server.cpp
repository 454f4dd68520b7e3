#include "http/server.hpp"

#include <algorithm>
#include <future>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "config/log.hpp"
#include "http/io_context_pool.hpp"
#include "http/listener.hpp"

namespace agenttheo::http {

namespace {

/// The CPU of each I/O thread, when IO_THREAD_CPUS asks for any (`main`
/// refused a listed CPU the process may not use).
std::vector<int> io_thread_plan(const server_config& config) {
  return plan_io_thread_cpus(config.io_cpus, cpus_this_thread_may_use());
}

} // namespace

struct server::impl {
  explicit impl(const server_config& config)
      : pool(config.io_context_count(), config.threads_per_io_context(),
             config.io_threads_on_demand, io_thread_plan(config),
             config.io_cpus.automatic, config.io_thread_slice),
        signals(pool.at(0), SIGINT, SIGTERM) {
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

  io_context_pool pool;
  net::signal_set signals;
  bool keep_context = false;
  /// keep_context_after_stop, once stopped: one thread per context runs.
  bool kept = false;
  bool running = false;
  server_context ctx;
  std::shared_ptr<listener> acceptor;
  std::promise<void> stop_signal;
  std::uint16_t bound_port = 0;
};

server::server(const server_config& config)
  : impl_(std::make_unique<impl>(config)) {
}

server::~server() {
  stop();
  impl_->pool.stop();
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
    tcp::resolver resolver{d.pool.at(0)};
    auto results = resolver.resolve(d.ctx.config.host, "", ec);
    if (ec || results.empty())
      return "HOST: cannot resolve '" + d.ctx.config.host + "'";
    address = results.begin()->endpoint().address();
  }
  d.acceptor = std::make_shared<listener>(d.pool, d.ctx);
  if (!d.acceptor->open({address, d.ctx.config.port}, ec))
    return "cannot listen on " + d.ctx.config.host + ":"
           + std::to_string(d.ctx.config.port) + ": " + ec.message();
  d.bound_port = d.acceptor->local_endpoint().port();
  d.acceptor->run();
  d.pool.run();
  d.running = true;
  return std::nullopt;
}

io_context_pool& server::io_contexts() {
  return impl_->pool;
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
  if (d.running) {
    d.running = false;
    d.pool.stop();
    d.ctx.connections.close_all();
  }
  // Actors on the I/O contexts still need them while the actor system
  // shuts down: one thread each runs them until the server goes.
  if (d.keep_context && !d.kept) {
    d.kept = true;
    d.pool.run_one_thread_each();
  }
}

} // namespace agenttheo::http
