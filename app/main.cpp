// agenttheo: the AgentTheo server binary.
//
//   agenttheo serve [--host H] [--port P] [--workers H:P,...] [flags...]
//   agenttheo worker --listen PORT [flags...]            (see --help)

#include <algorithm>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include "actors/browser.hpp"
#include "actors/cluster_router.hpp"
#include "actors/message_types.hpp"
#include "actors/registry.hpp"
#include "actors/session_manager.hpp"
#include "actors/store_writer.hpp"
#include "actors/worker_door.hpp"
#include "app/io_scheduler.hpp"
#include "cli/mcp_stdio.hpp"
#include "cli/stream_viewer.hpp"
#include "config/config.hpp"
#include "config/log.hpp"
#include "http/asio_http_engine.hpp"
#include "http/curl_io_engine.hpp"
#include "http/egress_proxy.hpp"
#include "http/server.hpp"
#include "llm/plain_http_engine.hpp"
#include "protocol/routes.hpp"
#include "llm/curl_driver.hpp"
#include "llm/curl_engine.hpp"
#include "llm/vision.hpp"
#include "messages/registry_messages.hpp"
#include "store/session_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/store_inbox.hpp"
#include "streams/caf_bridge.hpp"
#include "util/clock.hpp"

namespace {

using namespace agenttheo;

constexpr const char* usage = "usage: agenttheo <command> [flags]\n"
                              "\n"
                              "commands:\n"
                              "  serve    run the HTTP/SSE server (see "
                              "'agenttheo serve --help')\n"
                              "  worker   run sessions for a gateway "
                              "(agenttheo worker --listen PORT)\n"
                              "  run      stream a command's run in this terminal\n"
                              "  watch    follow a session's runs in this terminal\n"
                              "  mcp      MCP over stdio, forwarded to a server's /mcp "
                              "(agenttheo mcp --server URL)\n";

egress_policy egress_policy_from(const server_config& cfg) {
  egress_policy policy;
  policy.allowed_hosts = cfg.browser_allowed_hosts;
  policy.denied_hosts = cfg.browser_denied_hosts;
  policy.private_nets = cfg.browser_private_networks;
  return policy;
}

/// The proxy every request of the node's Chromium goes through. The pages
/// it may fetch from this server are the ones a visitor's browser may: the
/// demo site and the static assets, never the API.
http::egress_proxy_settings egress_settings_from(const server_config& cfg) {
  http::egress_proxy_settings settings;
  settings.policy = egress_policy_from(cfg);
  settings.host_map = cfg.browser_host_map;
  settings.upstream_host = cfg.upstream_proxy_host;
  settings.upstream_port = cfg.upstream_proxy_port;
  settings.own_server_allows = [](std::string_view method, std::string_view path) {
    return (method == "GET" || method == "HEAD")
           && resolve_route(method, path).target == route::web_asset;
  };
  return settings;
}

/// The store as startup leaves it: open, migrated, what it kept read.
/// Empty with STORE=memory.
struct opened_store {
  std::unique_ptr<session_store> store;
  std::shared_ptr<store_inbox> inbox;
  std::vector<std::shared_ptr<const restored_session>> restored;
};

/// STORE=sqlite: the database and the sessions it kept, or why the server
/// cannot start with it (locked, corrupt, from a newer version).
std::variant<opened_store, std::string> open_store(const server_config& cfg) {
  opened_store opened;
  if (cfg.store.kind != store_kind::sqlite)
    return opened;
  try {
    opened.store = session_store::open({cfg.store.path, cfg.store.full_sync});
    for (auto& saved : opened.store->load(cfg.session.log_max_events))
      opened.restored.push_back(
        std::make_shared<const restored_session>(std::move(saved)));
  } catch (const store_error& e) {
    return std::string{"the store (STORE_PATH) cannot be used: "} + e.what();
  } catch (const sqlite::failure& f) {
    return "the store (STORE_PATH) cannot be read: " + cfg.store.path + ": "
           + f.message;
  }
  opened.inbox = std::make_shared<store_inbox>(cfg.store.max_pending_bytes);
  log(log_level::info, "store: ", cfg.store.path, " (schema ",
      opened.store->schema_version(), "), ", opened.restored.size(),
      opened.restored.size() == 1 ? " session" : " sessions", " restored");
  return opened;
}

/// The store's writer, on a thread of its own; none with STORE=memory.
caf::actor spawn_store_writer(caf::actor_system& system,
                              const server_config& cfg, opened_store& opened) {
  if (!opened.store)
    return {};
  auto settings = std::make_shared<store_writer_settings>();
  settings->inbox = opened.inbox;
  settings->store = std::move(opened.store);
  settings->flush_interval = cfg.store.flush_interval;
  settings->retention = cfg.store.retention;
  settings->max_events = cfg.session.log_max_events;
  settings->artifacts_dir = cfg.page.artifacts_dir;
  return system.spawn<caf::detached>(store_writer, settings);
}

/// Writes what waits for the disk, then stops the writer.
void stop_store_writer(caf::actor_system& system, const caf::actor& writer) {
  if (!writer)
    return;
  caf::scoped_actor self{system};
  self->request(writer, std::chrono::seconds{30}, store_flush_atom::value)
    .receive([](bool) {},
             [](caf::error& err) {
               log(log_level::warn, "the store did not flush in time: ",
                   caf::to_string(err));
             });
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
}

manager_settings manager_settings_from(const server_config& cfg,
                                       std::shared_ptr<curl_driver> driver,
                                       caf::actor browser,
                                       std::shared_ptr<const egress_journal> egress,
                                       opened_store& store, caf::actor writer) {
  manager_settings settings;
  settings.session.store = store.inbox;
  settings.restored = std::move(store.restored);
  settings.store_writer = std::move(writer);
  settings.max_sessions = cfg.max_sessions;
  settings.clients = cfg.clients;
  auto& session = settings.session;
  static_cast<session_limits&>(session) = cfg.session;
  static_cast<page_options&>(session.page) = cfg.page;
  session.page.vision = vision_enabled(cfg.llm);
  session.page.policy = egress_policy_from(cfg);
  session.page.egress = std::move(egress);
  session.page.secrets = std::make_shared<const secret_vault>(cfg.secrets);
  session.llm = {cfg.llm, std::move(driver), cfg.planner_token_delay};
  session.browser = std::move(browser);
  return settings;
}

/// IO_THREADS, or by default one per core when the actors run on the I/O
/// threads (they do all the work: 10,000 subscribers x 100 tokens/s need
/// more than one core), else one (CAF's workers take the other cores).
unsigned io_threads(const server_config& cfg, bool actors_on_io) {
  if (cfg.io_threads > 0)
    return cfg.io_threads;
  return actors_on_io ? std::max(1u, std::thread::hardware_concurrency()) : 1u;
}

/// WORKER_THREADS, or the cores the I/O threads leave (at least one): the
/// I/O threads write every byte, and a second worker on a 2-core machine
/// mostly spun trying to steal work (29% of the server's CPU in CAF's
/// `take_tail`). 1,000 runs x 20 tokens/s, one worker against two: added
/// latency p50 56 against 110-116 ms, p99 140 against 267-377 ms.
unsigned worker_threads(const server_config& cfg) {
  if (cfg.worker_threads > 0)
    return cfg.worker_threads;
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  return cores > cfg.io_threads ? cores - cfg.io_threads : 1u;
}

void configure_actor_system(caf::actor_system_config& sys_cfg,
                            const server_config& cfg) {
  add_message_types(sys_cfg);
  sys_cfg.set("scheduler.max-threads", static_cast<size_t>(worker_threads(cfg)));
  // An idle CAF worker first spins, then (by default) naps 50 µs at a time
  // for 500 naps before it waits on its condition variable. Under a trickle
  // of messages (a token every few ms per session) the workers never get
  // that far and burn most of a core on wake-ups (measured: 0.77 cores for
  // 2,000 tokens/s). Spin briefly, then wait to be woken by new work.
  sys_cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
  sys_cfg.set("logger.console", caf::atom("none"));
  sys_cfg.set("logger.file-verbosity", caf::atom("quiet"));
}

/// Loads CAF's middleman for a gateway or a worker. Its heartbeats are off by
/// default in CAF 0.17: without them a node that is cut off, rather than
/// closed, would never be noticed.
void configure_cluster(caf::actor_system_config& sys_cfg,
                       const server_config& cfg) {
  sys_cfg.load<caf::io::middleman>();
  sys_cfg.set("middleman.heartbeat-interval", caf::timespan{cfg.worker_heartbeat});
  sys_cfg.set("middleman.connection-timeout", caf::timespan{cfg.worker_timeout});
  if (cfg.cluster_tls()) {
    // Both sides present a certificate and verify the other's against the CA.
    sys_cfg.load<caf::openssl::manager>();
    sys_cfg.openssl_certificate = cfg.tls_certificate;
    sys_cfg.openssl_key = cfg.tls_key;
    sys_cfg.openssl_cafile = cfg.tls_ca;
  }
}

/// Publishes the worker's door: over TLS when configured, else plain BASP.
caf::expected<std::uint16_t> publish_door(caf::actor_system& system,
                                          const caf::actor& door,
                                          const server_config& cfg) {
  auto port = static_cast<std::uint16_t>(cfg.listen);
  if (cfg.cluster_tls())
    return caf::openssl::publish(door, port, cfg.worker_bind.c_str(), true);
  return system.middleman().publish(door, port, cfg.worker_bind.c_str(), true);
}

cluster_settings cluster_settings_from(const server_config& cfg) {
  cluster_settings settings;
  for (const auto& [host, port] : cfg.workers)
    settings.workers.push_back({host, port});
  settings.secret = cfg.cluster_secret;
  settings.tls = cfg.cluster_tls();
  settings.poll_interval = cfg.worker_heartbeat;
  settings.timeout = cfg.worker_timeout;
  settings.retry = cfg.worker_retry;
  return settings;
}

std::string describe_workers(const server_config& cfg) {
  std::string text = "gateway for " + std::to_string(cfg.workers.size())
                     + " worker(s):";
  for (const auto& [host, port] : cfg.workers)
    text += " " + host + ":" + std::to_string(port);
  return text;
}

std::string describe_llm(const llm_settings& llm) {
  if (llm.is_planner())
    return "built-in offline planner";
  return llm.provider + " " + llm.model + " at " + llm.base_url;
}

/// The browser actor (Chromium starts on first use, its traffic through
/// `proxy`), or none.
caf::actor spawn_browser(caf::actor_system& system, const server_config& cfg,
                         const http::egress_proxy& proxy) {
  if (cfg.browser == browser_kind::none)
    return {};
  browser_settings settings;
  static_cast<browser_options&>(settings) = cfg.chromium;
  settings.proxy_server = proxy.url();
  return system.spawn(browser, settings);
}

/// The node's registry, first, so every actor after it can find it by name
/// and register. Its baseline is sampled here, not when it first runs: with
/// the actors on the I/O threads that can be after the first streams ended
/// (the ASan build's first run of it took ~250 ms), whose events its rates
/// would then never show.
caf::actor spawn_registry(caf::actor_system& system) {
  auto handle = system.spawn(registry, sample_totals(unix_millis()));
  system.registry().put(registry_name_atom::value,
                        caf::actor_cast<caf::strong_actor_ptr>(handle));
  return handle;
}

/// Asks the manager to end its sessions (each tells its streams), waiting
/// at most `grace`.
void stop_sessions(caf::actor_system& system, const caf::actor& manager,
                   std::chrono::milliseconds grace) {
  caf::scoped_actor self{system};
  self->request(manager, grace, shutdown_atom::value)
    .receive([] {},
             [](caf::error& err) {
               log(log_level::warn, "sessions did not all stop in time: ",
                   caf::to_string(err));
             });
}

/// Stops in order: no new connections, every session tells its streams, the
/// streams flush (bounded by the grace period), then the I/O threads stop.
void shut_down(http::server& srv, caf::actor_system& system,
               const caf::actor& manager, const caf::actor& browser,
               const caf::actor& registry, const server_config& cfg) {
  srv.stop_accepting();
  stop_sessions(system, manager, cfg.shutdown_grace);
  // The admin streams end with the registry.
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  if (!srv.drain(cfg.shutdown_grace))
    log(log_level::warn, "closing streams that did not flush in time");
  srv.stop();
  caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  // Its exit kills Chromium and every process it started.
  if (browser)
    caf::anon_send_exit(browser, caf::exit_reason::user_shutdown);
}

/// The configuration, or the exit code when there is none to run with
/// (`--help` printed, or an error).
std::variant<server_config, int> configuration(const std::vector<std::string>& args) {
  auto loaded = load_config(args, [](const char* name) {
    return std::getenv(name);
  });
  if (auto* help = std::get_if<config_help>(&loaded)) {
    std::cout << help->text;
    return EXIT_SUCCESS;
  }
  if (auto* err = std::get_if<config_error>(&loaded)) {
    std::cerr << "agenttheo: configuration error: " << err->message << "\n";
    return 2;
  }
  auto cfg = std::get<server_config>(loaded);
  if (auto wrong
      = unavailable_io_thread_cpu(cfg.io_cpus, cpus_this_thread_may_use())) {
    std::cerr << "agenttheo: configuration error: IO_THREAD_CPUS: " << *wrong
              << "\n";
    return 2;
  }
  set_log_level(cfg.level);
  return cfg;
}

int serve(const std::vector<std::string>& args) {
  auto configured = configuration(args);
  if (auto* code = std::get_if<int>(&configured))
    return *code;
  auto cfg = std::get<server_config>(configured);
  auto cluster = !cfg.workers.empty();
  // ACTORS_ON_IO_THREADS: the provider's bytes are read where the sockets
  // are written, and the actors between them run there too. A gateway
  // keeps CAF's workers (its middleman is measured with them only).
  auto on_io = cfg.actors_on_io_threads && !cluster;
  cfg.io_threads = io_threads(cfg, on_io);
  // The server (and its I/O context) outlives the actor system: actors that
  // post to sockets while the system shuts down still find a valid context.
  http::server srv{cfg};
  // Like the server, the HTTP client and the browser's proxy outlive the
  // actors that use them.
  auto driver
    = on_io ? std::make_shared<curl_driver>(
        http::make_curl_io_engine(srv.io_contexts()),
        cfg.llm_plain_http ? http::make_asio_http_engine(srv.io_contexts())
                           : nullptr)
            : std::make_shared<curl_driver>();
  http::egress_proxy proxy{egress_settings_from(cfg)};
  if (!cluster && cfg.browser != browser_kind::none)
    if (auto err = proxy.start()) {
      log(log_level::error, *err);
      return EXIT_FAILURE;
    }
  // A gateway keeps no session: its workers do.
  std::variant<opened_store, std::string> opening = opened_store{};
  if (!cluster)
    opening = open_store(cfg);
  if (auto* err = std::get_if<std::string>(&opening)) {
    log(log_level::error, *err);
    return EXIT_FAILURE;
  }
  auto& store = std::get<opened_store>(opening);
  srv.watch_store(store.inbox);
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, cfg);
  if (cluster)
    configure_cluster(sys_cfg, cfg);
  if (on_io) {
    run_actors_on(sys_cfg, srv.io_contexts());
    srv.keep_context_after_stop();
  }
  caf::actor_system system{sys_cfg};
  auto registry_actor = spawn_registry(system);
  auto writer = spawn_store_writer(system, cfg, store);
  // A gateway runs no session itself: its router places them on workers.
  auto browser_actor = cluster ? caf::actor{} : spawn_browser(system, cfg, proxy);
  auto manager = cluster ? system.spawn(cluster_router, cluster_settings_from(cfg))
                         : system.spawn(session_manager,
                                        manager_settings_from(cfg, driver,
                                                              browser_actor,
                                                              proxy.journal(),
                                                              store, writer));
  auto bridge = make_caf_bridge(system, manager, registry_actor);
  if (auto err = srv.start(*bridge)) {
    log(log_level::error, *err);
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(registry_actor, caf::exit_reason::user_shutdown);
    if (browser_actor)
      caf::anon_send_exit(browser_actor, caf::exit_reason::user_shutdown);
    srv.stop();
    stop_store_writer(system, writer);
    return EXIT_FAILURE;
  }
  proxy.protect_port(srv.port());
  auto base = "http://" + cfg.host + ':' + std::to_string(srv.port());
  log(log_level::info, "AgentTheo listening on ", base, " (",
      cluster ? describe_workers(cfg) : "LLM: " + describe_llm(cfg.llm),
      "); web UI ", base, "/, admin ", base, "/admin, demo site ", base,
      "/demo/");
  srv.wait_for_stop_signal();
  shut_down(srv, system, manager, browser_actor, registry_actor, cfg);
  stop_store_writer(system, writer);
  log(log_level::info, "stopped");
  return EXIT_SUCCESS;
}

/// Blocks SIGINT and SIGTERM in this thread and every thread started after
/// it, so `wait_for_signal` is the one place they arrive.
sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

void wait_for_signal(const sigset_t& stop) {
  int received = 0;
  sigwait(&stop, &received);
}

/// A worker node: the sessions (LLM calls, tools, a browser) of the gateways
/// that join it, behind a door that checks the cluster secret.
int worker(const std::vector<std::string>& args) {
  auto configured = configuration(args);
  if (auto* code = std::get_if<int>(&configured))
    return *code;
  auto cfg = std::get<server_config>(configured);
  if (cfg.listen < 0) {
    std::cerr << "agenttheo worker: --listen PORT is required\n";
    return 2;
  }
  // A worker's actors run on CAF's workers (its middleman is measured with
  // them only): no I/O thread of its own, one core left to the rest.
  cfg.io_threads = io_threads(cfg, false);
  auto stop = block_stop_signals();
  auto driver = std::make_shared<curl_driver>();
  http::egress_proxy proxy{egress_settings_from(cfg)};
  if (cfg.browser != browser_kind::none)
    if (auto err = proxy.start()) {
      log(log_level::error, *err);
      return EXIT_FAILURE;
    }
  auto opening = open_store(cfg);
  if (auto* err = std::get_if<std::string>(&opening)) {
    log(log_level::error, *err);
    return EXIT_FAILURE;
  }
  auto& store = std::get<opened_store>(opening);
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, cfg);
  configure_cluster(sys_cfg, cfg);
  caf::actor_system system{sys_cfg};
  auto registry_actor = spawn_registry(system);
  auto writer = spawn_store_writer(system, cfg, store);
  auto browser_actor = spawn_browser(system, cfg, proxy);
  auto manager = system.spawn(session_manager,
                              manager_settings_from(cfg, driver, browser_actor,
                                                    proxy.journal(), store,
                                                    writer));
  auto door = system.spawn(worker_door, manager, cfg.cluster_secret);
  auto stop_all = [&] {
    for (const auto& handle : {door, manager, registry_actor, browser_actor})
      if (handle)
        caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
  };
  auto port = publish_door(system, door, cfg);
  if (!port) {
    log(log_level::error, "cannot listen on ", cfg.worker_bind, ':', cfg.listen,
        ": ", system.render(port.error()));
    stop_all();
    stop_store_writer(system, writer);
    return EXIT_FAILURE;
  }
  proxy.protect_port(*port);
  log(log_level::info, "AgentTheo worker listening on ", cfg.worker_bind, ':',
      *port, cfg.cluster_tls() ? " over TLS" : "", " (LLM: ",
      describe_llm(cfg.llm), ")");
  wait_for_signal(stop);
  stop_sessions(system, manager, cfg.shutdown_grace);
  stop_all();
  stop_store_writer(system, writer);
  log(log_level::info, "stopped");
  return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv) {
  // Writes to a socket or pipe whose reader is gone must fail with EPIPE,
  // not kill the server (Chromium's debugging pipe, above all).
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << usage;
    return args.empty() ? 2 : EXIT_SUCCESS;
  }
  auto command = args[0];
  args.erase(args.begin());
  if (command == "serve")
    return serve(args);
  if (command == "worker")
    return worker(args);
  if (command == "run" || command == "watch")
    return cli::viewer_main(command, args);
  if (command == "mcp")
    return cli::mcp_stdio_main(args);
  std::cerr << "agenttheo: unknown command '" << command << "'\n" << usage;
  return 2;
}
