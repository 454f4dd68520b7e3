#define CAF_SUITE config

#include "config/config.hpp"
#include "config/config_keys.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "config/approval_rules.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

/// An environment for one test; the env files it writes are removed with it.
struct fake_env {
  std::map<std::string, std::string> vars;
  std::vector<std::string> files;

  fake_env() = default;
  fake_env(const fake_env&) = delete;
  fake_env& operator=(const fake_env&) = delete;

  ~fake_env() {
    for (auto& path : files)
      unlink(path.c_str());
  }

  /// Writes `text` to a fresh file and names it as AGENTTHEO_ENV_FILE.
  void use_env_file(const std::string& text) {
    char path[] = "/tmp/agenttheo-env-XXXXXX";
    int fd = mkstemp(path);
    CAF_REQUIRE(fd >= 0);
    close(fd);
    files.emplace_back(path);
    std::ofstream{path} << text;
    vars["AGENTTHEO_ENV_FILE"] = path;
  }

  env_lookup lookup() const {
    return [this](const char* name) -> const char* {
      auto i = vars.find(name);
      return i == vars.end() ? nullptr : i->second.c_str();
    };
  }
};

const server_config& ok(const config_result& result) {
  if (auto* err = std::get_if<config_error>(&result))
    CAF_FAIL("unexpected config error: " << err->message);
  CAF_REQUIRE(std::holds_alternative<server_config>(result));
  return std::get<server_config>(result);
}

std::string error_of(const config_result& result) {
  CAF_REQUIRE(std::holds_alternative<config_error>(result));
  return std::get<config_error>(result).message;
}

} // namespace

CAF_TEST(defaults apply with nothing configured) {
  fake_env env;
  env.use_env_file("");
  auto cfg = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(cfg.host, "127.0.0.1");
  CAF_CHECK_EQUAL(cfg.port, 8000);
  CAF_CHECK(cfg.level == log_level::info);
  CAF_CHECK(cfg.streams.heartbeat == 15s);
  CAF_CHECK_EQUAL(cfg.max_sessions, 1000u);
}

CAF_TEST(flags beat environment which beats the env file) {
  fake_env env;
  env.use_env_file(
    "# comment\nexport PORT=9001\nLOG_LEVEL=\"DEBUG\"\nMAX_SESSIONS=5 # five\n"
    "OPENROUTER_API_KEY=sk-unused-here\nSEND_QUEUE_LIMIT=64K\n");
  auto from_file = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(from_file.port, 9001);
  CAF_CHECK(from_file.level == log_level::debug);
  CAF_CHECK_EQUAL(from_file.max_sessions, 5u);
  CAF_CHECK_EQUAL(from_file.streams.send_queue_limit, 64u * 1024);
  env.vars["PORT"] = "9002";
  env.vars["HEARTBEAT_INTERVAL"] = "2s";
  auto from_env = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(from_env.port, 9002);
  CAF_CHECK(from_env.streams.heartbeat == 2s);
  auto from_flags = ok(load_config({"--port", "9003", "--heartbeat-interval=250ms",
                                    "--allowed-origins", "http://a, http://b"},
                                   env.lookup()));
  CAF_CHECK_EQUAL(from_flags.port, 9003);
  CAF_CHECK(from_flags.streams.heartbeat == 250ms);
  CAF_REQUIRE_EQUAL(from_flags.allowed_origins.size(), 2u);
  CAF_CHECK_EQUAL(from_flags.allowed_origins[1], "http://b");
}

CAF_TEST(bad values are errors that name the key) {
  fake_env env;
  env.use_env_file("");
  auto port = error_of(load_config({"--port", "http"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(port.find("PORT"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(port.find("'http'"), std::string::npos);
  auto level = error_of(load_config({"--log-level", "LOUD"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(level.find("LOG_LEVEL"), std::string::npos);
  auto size = error_of(load_config({"--send-queue-limit", "12 parsecs"},
                                   env.lookup()));
  CAF_CHECK_NOT_EQUAL(size.find("SEND_QUEUE_LIMIT"), std::string::npos);
  env.vars["MAX_SESSIONS"] = "-1";
  auto sessions = error_of(load_config({}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(sessions.find("MAX_SESSIONS (environment)"),
                      std::string::npos);
  env.vars.erase("MAX_SESSIONS");
  auto unknown = error_of(load_config({"--prot", "1"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(unknown.find("--prot"), std::string::npos);
  auto missing = error_of(load_config({"--port"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(missing.find("needs a value"), std::string::npos);
  env.use_env_file("PORT=99999\n");
  auto file = error_of(load_config({}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(file.find("PORT ("), std::string::npos);
  env.vars["AGENTTHEO_ENV_FILE"] = "/nonexistent/agenttheo.env";
  auto no_file = error_of(load_config({}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(no_file.find("cannot read"), std::string::npos);
}

CAF_TEST(the egress keys read what they document) {
  fake_env env;
  env.use_env_file("");
  auto cfg = ok(load_config(
    {"--browser-private-networks", "all", "--browser-host-resolver-rules",
     "MAP a.test 127.0.0.2, MAP b.test ::1, MAP * ~NOTFOUND",
     "--browser-upstream-proxy", "http://[::1]:3128/"},
    env.lookup()));
  CAF_CHECK(cfg.browser_private_networks == private_networks::all);
  CAF_REQUIRE_EQUAL(cfg.browser_host_map.size(), 3u);
  CAF_CHECK_EQUAL(cfg.browser_host_map[1].first, "b.test");
  CAF_CHECK_EQUAL(cfg.browser_host_map[1].second, "::1");
  CAF_CHECK_EQUAL(cfg.browser_host_map[2].first, "*");
  CAF_CHECK_EQUAL(cfg.browser_host_map[2].second, "~NOTFOUND");
  CAF_CHECK_EQUAL(cfg.upstream_proxy_host, "::1");
  CAF_CHECK_EQUAL(cfg.upstream_proxy_port, 3128);
  for (auto [flag, value, key] :
       {std::tuple{"--browser-private-networks", "some",
                   "BROWSER_PRIVATE_NETWORKS"},
        std::tuple{"--browser-host-resolver-rules", "MAP a.test example.com",
                   "BROWSER_HOST_RESOLVER_RULES"},
        std::tuple{"--browser-host-resolver-rules", "EXCLUDE a.test",
                   "BROWSER_HOST_RESOLVER_RULES"},
        std::tuple{"--browser-host-resolver-rules", "MAP a.test ~FOUND",
                   "BROWSER_HOST_RESOLVER_RULES"},
        std::tuple{"--browser-upstream-proxy", "socks5://127.0.0.1:1080",
                   "BROWSER_UPSTREAM_PROXY"},
        std::tuple{"--browser-upstream-proxy", "http://proxy.corp:3128",
                   "BROWSER_UPSTREAM_PROXY"},
        std::tuple{"--browser-upstream-proxy", "http://127.0.0.1",
                   "BROWSER_UPSTREAM_PROXY"}}) {
    auto why = error_of(load_config({flag, value}, env.lookup()));
    CAF_CHECK_NOT_EQUAL(why.find(key), std::string::npos);
  }
}

CAF_TEST(the io contexts split the io threads evenly) {
  fake_env env;
  env.use_env_file("");
  auto defaults = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(defaults.io_contexts, 1u);
  env.vars["IO_CONTEXTS"] = "0";
  auto cfg = ok(load_config({"--io-threads", "4"}, env.lookup()));
  CAF_CHECK_EQUAL(cfg.io_contexts, 0u);
  // 0: a context per thread, one thread each.
  CAF_CHECK_EQUAL(cfg.io_context_count(), 4u);
  CAF_CHECK_EQUAL(cfg.threads_per_io_context(), 1u);
  cfg.io_contexts = 1;
  CAF_CHECK_EQUAL(cfg.threads_per_io_context(), 4u);
  cfg.io_contexts = 2;
  CAF_CHECK_EQUAL(cfg.threads_per_io_context(), 2u);
  cfg.io_contexts = 8; // more contexts than threads: one thread each
  CAF_CHECK_EQUAL(cfg.io_context_count(), 4u);
  CAF_CHECK_EQUAL(cfg.threads_per_io_context(), 1u);
  CAF_CHECK(error_of(load_config({"--io-contexts", "65"}, env.lookup()))
              .find("IO_CONTEXTS")
            != std::string::npos);
}

CAF_TEST(the io threads ask for a short slice unless told off) {
  fake_env env;
  env.use_env_file("");
  auto defaults = ok(load_config({}, env.lookup()));
  CAF_CHECK(defaults.io_thread_slice == 100us);
  env.vars["IO_THREAD_SLICE"] = "3ms";
  CAF_CHECK(ok(load_config({}, env.lookup())).io_thread_slice == 3000us);
  auto off = ok(load_config({"--io-thread-slice", "off"}, env.lookup()));
  CAF_CHECK(off.io_thread_slice == 0us);
  auto wrong = error_of(load_config({"--io-thread-slice", "50us"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(wrong.find("IO_THREAD_SLICE"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(wrong.find("100us to 100ms"), std::string::npos);
}

CAF_TEST(the store keys read what they document) {
  fake_env env;
  env.use_env_file("");
  auto defaults = ok(load_config({}, env.lookup()));
  CAF_CHECK(defaults.store.kind == store_kind::sqlite);
  CAF_CHECK_EQUAL(defaults.store.path, "data/agenttheo.db");
  CAF_CHECK(defaults.store.retention == 7 * 24h);
  CAF_CHECK(defaults.store.flush_interval == 50ms);
  CAF_CHECK(!defaults.store.full_sync);
  env.vars["STORE"] = "memory";
  auto cfg = ok(load_config({"--store-path", "/var/lib/agenttheo/a.db",
                             "--store-retention", "2d", "--store-sync", "full",
                             "--store-flush-interval", "10ms"},
                            env.lookup()));
  CAF_CHECK(cfg.store.kind == store_kind::memory);
  CAF_CHECK_EQUAL(cfg.store.path, "/var/lib/agenttheo/a.db");
  CAF_CHECK(cfg.store.retention == 48h);
  CAF_CHECK(cfg.store.full_sync);
  CAF_CHECK(cfg.store.flush_interval == 10ms);
  env.vars.erase("STORE");
  for (auto [flag, value, key] :
       {std::tuple{"--store", "postgres", "STORE"},
        std::tuple{"--store-path", "", "STORE_PATH"},
        std::tuple{"--store-retention", "500ms", "STORE_RETENTION"},
        std::tuple{"--store-retention", "a week", "STORE_RETENTION"},
        std::tuple{"--store-flush-interval", "0", "STORE_FLUSH_INTERVAL"},
        std::tuple{"--store-sync", "always", "STORE_SYNC"}}) {
    auto why = error_of(load_config({flag, value}, env.lookup()));
    CAF_CHECK_NOT_EQUAL(why.find(key), std::string::npos);
  }
}

CAF_TEST(the steering keys read what they document) {
  fake_env env;
  env.use_env_file("");
  auto defaults = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(defaults.session.approve, 0u);
  CAF_CHECK(defaults.session.interrupt_timeout == 10min);
  CAF_CHECK_EQUAL(defaults.clients.input_events_per_second, 120u);
  env.vars["APPROVE"] = "submit,type_sensitive";
  auto cfg = ok(load_config({"--interrupt-timeout", "90s", "--input-events-per-second",
                             "30"},
                            env.lookup()));
  CAF_CHECK_EQUAL(cfg.session.approve, approval::submit | approval::type_sensitive);
  CAF_CHECK(cfg.session.interrupt_timeout == 90s);
  CAF_CHECK_EQUAL(cfg.clients.input_events_per_second, 30u);
  env.vars.erase("APPROVE");
  for (auto [flag, value, key] :
       {std::tuple{"--approve", "everything", "APPROVE"},
        std::tuple{"--interrupt-timeout", "10ms", "INTERRUPT_TIMEOUT"},
        std::tuple{"--input-events-per-second", "0", "INPUT_EVENTS_PER_SECOND"}}) {
    auto why = error_of(load_config({flag, value}, env.lookup()));
    CAF_CHECK_NOT_EQUAL(why.find(key), std::string::npos);
  }
}

CAF_TEST(env text parsing rejects lines without a key) {
  auto parsed = parse_env_text("A=1\nthis is not a pair\n");
  CAF_REQUIRE(std::holds_alternative<config_error>(parsed));
  CAF_CHECK_NOT_EQUAL(std::get<config_error>(parsed).message.find("line 2"),
                      std::string::npos);
}

CAF_TEST(help lists every key) {
  fake_env env;
  auto result = load_config({"--help"}, env.lookup());
  CAF_REQUIRE(std::holds_alternative<config_help>(result));
  auto& text = std::get<config_help>(result).text;
  for (auto* flag : {"--host", "--port", "--log-level", "--heartbeat-interval",
                     "--event-log-max-events", "--send-queue-limit",
                     "--max-sessions"})
    CAF_CHECK_NOT_EQUAL(text.find(flag), std::string::npos);
}

CAF_TEST(a frame rate is a plain number) {
  fake_env env;
  env.use_env_file("");
  CAF_CHECK_EQUAL(ok(load_config({"--screencast-fps", "12"}, env.lookup()))
                    .page.screencast_fps,
                  12u);
  // It was read as a byte size: 5B passed as 5 frames, and 5K was refused
  // as "5120 frames", not as a number with a unit.
  error_of(load_config({"--screencast-fps", "5B"}, env.lookup()));
  auto suffixed
    = error_of(load_config({"--screencast-fps", "5K"}, env.lookup()));
  CAF_CHECK_NOT_EQUAL(suffixed.find("SCREENCAST_FPS"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(suffixed.find("an integer from 1 to 30"),
                      std::string::npos);
  error_of(load_config({"--screencast-fps", "31"}, env.lookup()));
}

CAF_TEST(each size with a floor says it the same way) {
  fake_env env;
  env.use_env_file("");
  for (auto* flag :
       {"--send-queue-limit", "--ws-max-message", "--max-header-bytes"}) {
    auto err = error_of(load_config({flag, "1000"}, env.lookup()));
    CAF_CHECK_NOT_EQUAL(err.find("a size of at least 1024 bytes"),
                        std::string::npos);
    ok(load_config({flag, "1K"}, env.lookup()));
  }
}

CAF_TEST(every key takes back the value it shows) {
  const server_config defaults;
  std::set<std::string_view> names;
  for (const auto& key : config_keys()) {
    CAF_CHECK(names.insert(key.name).second);
    CAF_CHECK(!key.help.empty());
    auto shown = key.show(defaults);
    if (shown.empty())
      continue;
    server_config copy;
    auto err = key.apply(copy, shown);
    CAF_CHECK(!err);
    if (err)
      CAF_MESSAGE(key.name << ": " << *err);
    CAF_CHECK_EQUAL(key.show(copy), shown);
  }
  CAF_CHECK_GREATER(names.size(), 55u);
}

CAF_TEST(help groups the keys and shows their defaults) {
  fake_env env;
  auto text = std::get<config_help>(load_config({"--help"}, env.lookup())).text;
  for (auto group : {"\nServer and sessions\n", "\nStreams\n", "\nThe model\n",
                     "\nThe browser\n", "\nAccess\n", "\nCluster\n"})
    CAF_CHECK_NOT_EQUAL(text.find(group), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("(default: 8000)"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("(default: 15m)"), std::string::npos);
  // Help columns line up: every flag's text starts at the same column.
  std::istringstream lines{text};
  std::set<std::size_t> columns;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("  --", 0) == 0)
      columns.insert(line.find_first_not_of(' ', line.find(" VALUE") + 6));
  CAF_CHECK_EQUAL(columns.size(), 1u);
}

CAF_TEST(secrets never show even when set) {
  // --help shows the defaults, so a set secret must be checked where a
  // value is shown: each row's `show`.
  fake_env env;
  env.use_env_file("");
  for (auto* key : {"ADMIN_TOKEN", "API_TOKEN", "LLM_API_KEY",
                    "OPENROUTER_API_KEY", "CLUSTER_SECRET"})
    env.vars[key] = "hunter2";
  auto cfg = ok(load_config({}, env.lookup()));
  CAF_CHECK_EQUAL(cfg.admin_token, "hunter2");
  std::size_t secrets = 0;
  for (const auto& key : config_keys()) {
    if (env.vars.count(std::string{key.name}) == 0)
      continue;
    ++secrets;
    CAF_CHECK_EQUAL(key.show(cfg), "");
  }
  CAF_CHECK_EQUAL(secrets, 5u);
}
