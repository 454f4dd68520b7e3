#include "config/config_keys.hpp"

#include <functional>
#include <sstream>
#include <type_traits>
#include <utility>

#include "config/approval_rules.hpp"

namespace agenttheo {

namespace {

using g = config_group;

// -- row constructors ---------------------------------------------------------
//
// `get` reaches the setting in a server_config: a pointer to member, or
// `in(&server_config::part, &part_type::x)` for a member of one of its parts.

template <class Part, class T>
auto in(Part server_config::*part, T Part::*member) {
  return [ part, member ](auto& c) -> auto& {
    return (c.*part).*member;
  };
}

template <class Get>
using value_of = std::decay_t<std::invoke_result_t<Get, server_config&>>;

/// Free text; `expected` given: it may not be empty.
template <class Get>
config_key text(std::string_view name, g group, std::string_view help, Get get,
                const char* expected = nullptr) {
  return {name, group, help,
          [get, expected](server_config& c, std::string_view v) -> parse_failure {
            if (expected && v.empty())
              return expected;
            std::invoke(get, c) = std::string{v};
            return std::nullopt;
          },
          [get](const server_config& c) { return std::invoke(get, c); }};
}

/// Text that never shows: keys, tokens, secrets.
template <class Get>
config_key secret(std::string_view name, g group, std::string_view help,
                  Get get) {
  auto row = text(name, group, help, get);
  row.show = [](const server_config&) { return std::string{}; };
  return row;
}

template <class Get>
config_key integer(std::string_view name, g group, std::string_view help,
                   Get get, std::uint64_t min, std::uint64_t max) {
  return {name, group, help,
          [get, min, max](server_config& c, std::string_view v) {
            std::uint64_t n = 0;
            auto err = parse_integer(v, n, min, max);
            if (!err)
              std::invoke(get, c) = static_cast<value_of<Get>>(n);
            return err;
          },
          [get](const server_config& c) {
            // A rate kept as a double reads back as the integer it was.
            return std::to_string(
              static_cast<std::uint64_t>(std::invoke(get, c)));
          }};
}

/// A byte size of at least `min`.
template <class Get>
config_key size(std::string_view name, g group, std::string_view help, Get get,
                std::size_t min = 0) {
  return {name, group, help,
          [get, min](server_config& c, std::string_view v) -> parse_failure {
            std::size_t n = 0;
            if (auto err = parse_size(v, n))
              return err;
            if (n < min)
              return "a size of at least " + std::to_string(min) + " bytes";
            std::invoke(get, c) = n;
            return std::nullopt;
          },
          [get](const server_config& c) {
            return size_text(std::invoke(get, c));
          }};
}

/// A duration of at least `min_ms`: shorter ones would spin a timer.
template <class Get>
config_key duration(std::string_view name, g group, std::string_view help,
                    Get get, std::int64_t min_ms = 0) {
  return {name, group, help,
          [get, min_ms](server_config& c, std::string_view v) -> parse_failure {
            std::chrono::milliseconds d{};
            if (auto err = parse_duration(v, d))
              return err;
            if (d.count() < min_ms)
              return "a duration of at least " + std::to_string(min_ms) + "ms";
            std::invoke(get, c) = d;
            return std::nullopt;
          },
          [get](const server_config& c) {
            return duration_text(std::invoke(get, c));
          }};
}

template <class Get>
config_key flag(std::string_view name, g group, std::string_view help,
                Get get) {
  return {name, group, help,
          [get](server_config& c, std::string_view v) {
            return parse_flag(v, std::invoke(get, c));
          },
          [get](const server_config& c) {
            return std::string{std::invoke(get, c) ? "true" : "false"};
          }};
}

/// One of a few words, each standing for a value.
template <class Get, class T = value_of<Get>>
config_key choice(std::string_view name, g group, std::string_view help,
                  Get get, std::vector<std::pair<std::string_view, T>> words) {
  std::string expected;
  for (std::size_t i = 0; i < words.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ")
                + std::string{words[i].first};
  return {name, group, help,
          [get, words, expected](server_config& c,
                                 std::string_view v) -> parse_failure {
            for (const auto& [word, value] : words)
              if (v == word) {
                std::invoke(get, c) = value;
                return std::nullopt;
              }
            return expected;
          },
          [get, words](const server_config& c) {
            for (const auto& [word, value] : words)
              if (std::invoke(get, c) == value)
                return std::string{word};
            return std::string{};
          }};
}

/// A comma list of approval rules (config/approval_rules.hpp).
template <class Get>
config_key approval_rules(std::string_view name, g group, std::string_view help,
                          Get get) {
  return {name, group, help,
          [get](server_config& c, std::string_view v) -> parse_failure {
            std::string bad;
            auto mask = parse_approval_policy(v, &bad);
            if (!mask)
              return "none, or a comma list of all, navigate, new_host, submit, "
                     "type_sensitive, download, upload (not '"
                     + bad + "')";
            std::invoke(get, c) = *mask;
            return std::nullopt;
          },
          [get](const server_config& c) {
            return approval_policy_to_string(std::invoke(get, c));
          }};
}

/// Comma-separated items.
template <class Get>
config_key list(std::string_view name, g group, std::string_view help,
                Get get) {
  return {name, group, help,
          [get](server_config& c, std::string_view v) {
            std::invoke(get, c) = split_list(v);
            return parse_failure{};
          },
          [get](const server_config& c) {
            std::string text;
            for (const auto& item : std::invoke(get, c))
              text += (text.empty() ? "" : ",") + item;
            return text;
          }};
}

// -- the few that need their own parsing --------------------------------------

config_key log_level_key() {
  return {"LOG_LEVEL", g::server, "DEBUG, INFO, WARN or ERROR",
          [](server_config& c, std::string_view v) -> parse_failure {
            auto level = parse_log_level(v);
            if (!level)
              return "one of DEBUG, INFO, WARN, ERROR";
            c.level = *level;
            return std::nullopt;
          },
          [](const server_config& c) { return std::string{to_string(c.level)}; }};
}

config_key io_thread_cpus_key() {
  return {"IO_THREAD_CPUS", g::server,
          "pin each I/O thread to a CPU: auto (the CPUs the process may run "
          "on, in order, let go of while another process keeps one busy), "
          "off, or a list such as 2,3 (kept whatever runs beside; "
          "docs/performance.md, I/O threads pinned to cores)",
          [](server_config& c, std::string_view v) -> parse_failure {
            return parse_io_thread_cpus(v, c.io_cpus);
          },
          [](const server_config& c) {
            if (c.io_cpus.automatic)
              return std::string{"auto"};
            auto listed = cpu_list(c.io_cpus.listed);
            return listed.empty() ? std::string{"off"} : listed;
          }};
}

config_key io_thread_slice_key() {
  return {"IO_THREAD_SLICE", g::server,
          "CPU slice each I/O thread asks the kernel for (Linux 6.12+): "
          "100us to 100ms, or off for the kernel's (~0.7-3 ms); a short "
          "slice lets a woken I/O thread run before the process that woke "
          "it sleeps (docs/performance.md, I/O threads ask for short slices)",
          [](server_config& c, std::string_view v) -> parse_failure {
            return parse_thread_slice(v, c.io_thread_slice);
          },
          [](const server_config& c) {
            return thread_slice_text(c.io_thread_slice);
          }};
}

config_key chromium_flags_key() {
  return {"CHROMIUM_FLAGS", g::browser, "extra Chromium flags, space-separated",
          [](server_config& c, std::string_view v) {
            std::istringstream in{std::string{v}};
            c.chromium.chromium_flags.clear();
            for (std::string flag; in >> flag;)
              c.chromium.chromium_flags.push_back(flag);
            return parse_failure{};
          },
          [](const server_config& c) {
            std::string text;
            for (const auto& flag : c.chromium.chromium_flags)
              text += (text.empty() ? "" : " ") + flag;
            return text;
          }};
}

/// `MAP name address, MAP name address`: Chromium's own syntax, so a rule
/// reads the same whether the browser or its egress proxy applies it.
config_key host_resolver_rules_key() {
  return {"BROWSER_HOST_RESOLVER_RULES", g::browser,
          "names the egress proxy resolves to fixed addresses, first "
          "match wins (MAP name address, ...; MAP * ~NOTFOUND: no other "
          "name resolves, and no DNS server is asked)",
          [](server_config& c, std::string_view v) -> parse_failure {
            c.browser_host_map.clear();
            std::istringstream rules{std::string{v}};
            for (std::string rule; std::getline(rules, rule, ',');) {
              std::istringstream words{rule};
              std::string map, name, address, extra;
              words >> map >> name >> address;
              if (map.empty() && name.empty())
                continue;
              if (map != "MAP" || name.empty()
                  || !(is_ip_literal(address) || address == not_found_rule)
                  || (words >> extra))
                return "MAP <name or *> <IP address or ~NOTFOUND>, "
                       "comma-separated";
              c.browser_host_map.emplace_back(name, address);
            }
            return std::nullopt;
          },
          [](const server_config& c) {
            std::string text;
            for (const auto& [name, address] : c.browser_host_map)
              text += (text.empty() ? "MAP " : ", MAP ") + name + " " + address;
            return text;
          }};
}

/// `http://address:port`: a proxy the egress proxy's outbound connections
/// beyond loopback go through. An address, not a name: the egress proxy
/// resolves nothing it cannot check.
config_key upstream_proxy_key() {
  return {"BROWSER_UPSTREAM_PROXY", g::browser,
          "HTTP proxy for the browser's traffic beyond this machine "
          "(http://address:port)",
          [](server_config& c, std::string_view v) -> parse_failure {
            constexpr std::string_view scheme = "http://";
            auto failure = "http://<IP address>:<port>";
            if (v.empty()) {
              c.upstream_proxy_host.clear();
              return std::nullopt;
            }
            if (v.substr(0, scheme.size()) != scheme)
              return failure;
            auto rest = v.substr(scheme.size());
            while (!rest.empty() && rest.back() == '/')
              rest.remove_suffix(1);
            auto colon = rest.rfind(':');
            std::uint64_t port = 0;
            if (colon == std::string_view::npos
                || parse_integer(rest.substr(colon + 1), port, 1, 65535))
              return failure;
            auto host = rest.substr(0, colon);
            if (host.size() > 2 && host.front() == '[' && host.back() == ']')
              host = host.substr(1, host.size() - 2);
            if (!is_ip_literal(host))
              return failure;
            c.upstream_proxy_host = std::string{host};
            c.upstream_proxy_port = static_cast<std::uint16_t>(port);
            return std::nullopt;
          },
          [](const server_config& c) {
            if (c.upstream_proxy_host.empty())
              return std::string{};
            auto v6 = c.upstream_proxy_host.find(':') != std::string::npos;
            return "http://" + (v6 ? "[" + c.upstream_proxy_host + "]"
                                   : c.upstream_proxy_host)
                   + ":" + std::to_string(c.upstream_proxy_port);
          }};
}

config_key llm_base_url_key() {
  return {"LLM_BASE_URL", g::llm, "OpenAI-compatible API base, up to /v1",
          [](server_config& c, std::string_view v) -> parse_failure {
            if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
              return "an http:// or https:// URL";
            c.llm.base_url = std::string{v};
            return std::nullopt;
          },
          [](const server_config& c) { return c.llm.base_url; }};
}

config_key llm_temperature_key() {
  return {"LLM_TEMPERATURE", g::llm, "sampling temperature, 0 to 2",
          [](server_config& c, std::string_view v) {
            return parse_decimal(v, c.llm.temperature, 0, 2);
          },
          [](const server_config& c) {
            // Negative: not sent, the provider's default applies.
            if (c.llm.temperature < 0)
              return std::string{};
            std::ostringstream out;
            out << c.llm.temperature;
            return out.str();
          }};
}

/// US dollars, 0 (none) or more.
config_key dollars(std::string_view name, std::string_view help, double session_limits::*member) {
  return {name, g::server, help,
          [member](server_config& c, std::string_view v) {
            return parse_decimal(v, c.session.*member, 0, 1e9);
          },
          [member](const server_config& c) {
            std::ostringstream out;
            out << c.session.*member;
            return out.str();
          }};
}

config_key workers_key() {
  return {"WORKERS", g::cluster,
          "agenttheo serve: comma-separated host:port of worker nodes",
          [](server_config& c, std::string_view v) -> parse_failure {
            c.workers.clear();
            for (const auto& item : split_list(v)) {
              auto colon = item.rfind(':');
              std::uint64_t port = 0;
              if (colon == std::string::npos || colon == 0
                  || parse_integer(std::string_view{item}.substr(colon + 1),
                                   port, 1, 65535))
                return "host:port[,host:port...]";
              c.workers.emplace_back(item.substr(0, colon),
                                     static_cast<std::uint16_t>(port));
            }
            return std::nullopt;
          },
          [](const server_config& c) {
            std::string text;
            for (const auto& [host, port] : c.workers)
              text += (text.empty() ? "" : ",") + host + ":"
                      + std::to_string(port);
            return text;
          }};
}

/// -1 (not given) shows as unset.
config_key listen_key() {
  auto row = integer(
    "LISTEN", g::cluster,
    "agenttheo worker: port its gateway connects to (0: any free one)",
    &server_config::listen, 0, 65535);
  row.show = [](const server_config& c) {
    return c.listen < 0 ? std::string{} : std::to_string(c.listen);
  };
  return row;
}

std::vector<config_key> make_keys() {
  using c = server_config;
  return {
    // -- server
    text("HOST", g::server, "address to listen on", &c::host,
         "a host name or address"),
    integer("PORT", g::server, "TCP port to listen on (0 picks a free one)",
            &c::port, 0, 65535),
    log_level_key(),
    integer("IO_THREADS", g::server,
            "threads running socket I/O (0: one per core when the actors "
            "run on them, else one)",
            &c::io_threads, 0, 64),
    integer("IO_CONTEXTS", g::server,
            "I/O contexts the I/O threads are split over (1: one context "
            "all of them share; 0: one per thread, so a token's hand-offs "
            "stay on the thread that read it)",
            &c::io_contexts, 0, 64),
    flag("IO_THREADS_ON_DEMAND", g::server,
         "an I/O context's threads after its first run it only while those "
         "running it are busy (false: every I/O thread always runs)",
         &c::io_threads_on_demand),
    io_thread_cpus_key(),
    io_thread_slice_key(),
    integer("WORKER_THREADS", g::server,
            "actor scheduler threads (0: one per core the I/O threads leave)",
            &c::worker_threads, 0, 256),
    flag("ACTORS_ON_IO_THREADS", g::server,
         "run the actors and the LLM client on the I/O threads: a token "
         "reaches its socket with no hand-off to another pool of threads "
         "(false: CAF's workers and a curl thread, as a gateway and a "
         "worker node always run; WORKER_THREADS applies only then)",
         &c::actors_on_io_threads),
    duration("SHUTDOWN_GRACE", g::server,
             "time open streams get to flush on shutdown", &c::shutdown_grace),
    size("MAX_HEADER_BYTES", g::server, "largest request head (line + headers)",
         &c::max_header_bytes, 1024),
    list("ALLOWED_ORIGINS", g::server,
         "comma-separated origins besides the server's own",
         &c::allowed_origins),
    list("ALLOWED_HOSTS", g::server,
         "comma-separated host names answered to besides localhost, HOST "
         "and IP addresses",
         &c::allowed_hosts),
    integer("MAX_SESSIONS", g::server,
            "concurrent sessions before new ones get 503", &c::max_sessions, 1,
            10'000'000),
    integer("CLIENT_MAX_SESSIONS", g::server,
            "sessions one client (API token, else address) may hold (0: any)",
            in(&c::clients, &client_limits::max_sessions), 0, 10'000'000),
    integer("CLIENT_RUNS_PER_MINUTE", g::server,
            "runs one client may start a minute (0: any)",
            in(&c::clients, &client_limits::runs_per_minute), 0, 10'000'000),
    integer("CLIENT_MAX_STREAMS", g::server,
            "SSE and WebSocket streams one client may hold open (0: any)",
            in(&c::clients, &client_limits::max_streams), 0, 10'000'000),
    integer("CLIENT_WS_MESSAGES_PER_SECOND", g::server,
            "messages a second each WebSocket may send (0: any)",
            in(&c::clients, &client_limits::ws_messages_per_second), 0,
            1'000'000),
    duration("SESSION_IDLE_TIMEOUT", g::server,
             "an idle session (no run, no subscriber) ends",
             in(&c::session, &session_limits::idle_timeout)),
    integer("MAX_RUNS_PER_SESSION", g::server,
            "finished runs a session remembers",
            in(&c::session, &session_limits::max_runs), 1, 100'000),
    integer("MAX_QUEUED_RUNS", g::server,
            "runs that may wait behind a session's running one",
            in(&c::session, &session_limits::max_queued_runs), 0, 1000),
    integer("MAX_COMMAND_LENGTH", g::server,
            "longest accepted command, in bytes", &c::max_command_length, 1,
            1'000'000),
    integer("MAX_STEPS", g::server,
            "model turns per run (a request's max_steps overrides)",
            in(&c::session, &session_limits::max_steps), 1, 1000),
    integer("LOOP_NUDGE", g::server,
            "the same tool call on an unchanged page this many times in a run: "
            "the model is told it repeats itself (0: never)",
            in(&c::session, &session_limits::loop_nudge), 0, 1000),
    integer("LOOP_STOP", g::server,
            "the same tool call on an unchanged page this many times: the run "
            "ends with loop_detected (0: never)",
            in(&c::session, &session_limits::loop_stop), 0, 1000),
    integer("MAX_FAILURES", g::server,
            "failed tool calls in a row that end a run with too_many_failures "
            "(a request's max_failures overrides; 0: never)",
            in(&c::session, &session_limits::max_failures), 0, 1000),
    integer("RUN_MAX_TOKENS", g::server,
            "most tokens (prompt and completion, every model call) a run may "
            "use; a request's max_tokens may be lower (0: no ceiling)",
            in(&c::session, &session_limits::run_max_tokens), 0, 1'000'000'000'000),
    dollars("RUN_MAX_COST_USD",
            "most a run's model calls may cost, in US dollars (LLM_PRICES); a "
            "request's max_cost_usd may be lower (0: no ceiling)",
            &session_limits::run_max_cost_usd),
    duration("RUN_MAX_DURATION", g::server,
             "longest a run may take, start to end; a request's max_duration "
             "may be shorter (0: no ceiling)",
             in(&c::session, &session_limits::run_max_duration)),
    integer("SESSION_MAX_TOKENS", g::server,
            "most tokens all of a session's runs may use together (0: no limit)",
            in(&c::session, &session_limits::session_max_tokens), 0,
            1'000'000'000'000),
    dollars("SESSION_MAX_COST_USD",
            "most all of a session's model calls may cost, in US dollars (0: no "
            "limit)",
            &session_limits::session_max_cost_usd),
    integer("CONTEXT_BUDGET", g::server,
            "estimated tokens a prompt may hold (0: no limit)",
            in(&c::session, &session_limits::context_budget), 0, 10'000'000),
    approval_rules("APPROVE", g::server,
                   "actions that wait for a person's approval: none, or a comma "
                   "list of all, navigate, new_host, submit, type_sensitive, "
                   "download, upload",
                   in(&c::session, &session_limits::approve)),
    duration("INTERRUPT_TIMEOUT", g::server,
             "an approval or question without a decision takes its default "
             "(reject, no answer)",
             in(&c::session, &session_limits::interrupt_timeout), 1000),
    integer("INPUT_EVENTS_PER_SECOND", g::server,
            "input events a second a WebSocket may send to a page it controls",
            in(&c::clients, &client_limits::input_events_per_second), 1,
            100'000),
    // -- streams
    duration("HEARTBEAT_INTERVAL", g::streams,
             "`: ping` on streams idle this long",
             in(&c::streams, &stream_options::heartbeat), 10),
    integer("EVENT_LOG_MAX_EVENTS", g::streams,
            "events each session keeps for replay",
            in(&c::session, &session_limits::log_max_events), 1, 10'000'000),
    size("EVENT_LOG_MAX_BYTES", g::streams,
         "bytes each session's event log may hold",
         in(&c::session, &session_limits::log_max_bytes)),
    size("SEND_QUEUE_LIMIT", g::streams,
         "bytes queued per connection before it is dropped",
         in(&c::streams, &stream_options::send_queue_limit), 1024),
    size("SOCKET_SEND_BUFFER", g::streams,
         "SO_SNDBUF of stream sockets (0: kernel default)",
         in(&c::streams, &stream_options::socket_send_buffer)),
    integer("FANOUT_RATE", g::streams,
            "deliveries per second a session paces its fan-out to (0: never "
            "hold an event)",
            in(&c::session, &session_limits::fanout_rate), 0, 100'000'000),
    flag("SSE_GZIP", g::streams,
         "gzip SSE for clients that accept it (flushed per event)",
         in(&c::streams, &stream_options::sse_gzip)),
    flag("WS_DEFLATE", g::streams, "offer permessage-deflate on WebSocket",
         in(&c::streams, &stream_options::ws_deflate)),
    size("WS_DEFLATE_THRESHOLD", g::streams,
         "WebSocket messages smaller than this go uncompressed",
         in(&c::streams, &stream_options::ws_deflate_threshold)),
    size("WS_MAX_MESSAGE", g::streams,
         "largest message a WebSocket client may send",
         in(&c::streams, &stream_options::ws_max_message), 1024),
    // -- llm
    text("LLM_PROVIDER", g::llm,
         "planner, openrouter, openai, compatible, ollama, llamacpp or vllm",
         &c::llm_provider_key),
    llm_base_url_key(),
    text("LLM_MODEL", g::llm, "model name as the provider spells it",
         in(&server_config::llm, &llm_settings::model)),
    secret("LLM_API_KEY", g::llm, "API key of the provider (never logged)",
           in(&server_config::llm, &llm_settings::api_key)),
    secret("OPENROUTER_API_KEY", g::llm,
           "OpenRouter key; selects OpenRouter by default",
           &c::openrouter_api_key),
    llm_temperature_key(),
    text("SECRETS_FILE", g::browser,
         "JSON file of secrets the agent may type as <secret:name>, each with "
         "the hosts it may be used on; must not be readable by others",
         &c::secrets_file),
    text("LLM_PRICES", g::llm,
         "JSON file of prices per million tokens, by model: the cost in "
         "complete.usage and RUN_MAX_COST_USD",
         &c::llm_prices),
    integer("LLM_MAX_TOKENS", g::llm,
            "most tokens per model turn (0: provider default)",
            in(&server_config::llm, &llm_settings::max_tokens), 0, 1'000'000),
    duration("LLM_TIMEOUT", g::llm,
             "longest model call, retries not counted (0: none)",
             in(&server_config::llm, &llm_settings::request_timeout)),
    duration("LLM_IDLE_TIMEOUT", g::llm,
             "a model stream silent this long is abandoned",
             in(&server_config::llm, &llm_settings::idle_timeout), 10),
    duration("LLM_CONNECT_TIMEOUT", g::llm, "time to connect to the provider",
             in(&server_config::llm, &llm_settings::connect_timeout)),
    integer("MAX_RETRIES", g::llm,
            "retries of a failed model call (429, 5xx, unreachable)",
            in(&server_config::llm, &llm_settings::max_retries), 0, 20),
    duration("LLM_RETRY_BASE", g::llm,
             "first retry backoff; doubles each retry, jittered",
             in(&server_config::llm, &llm_settings::retry_base)),
    flag("LLM_PLAIN_HTTP", g::llm,
         "read an http:// provider (a model server on this machine or "
         "network) on the I/O threads' own sockets instead of through curl "
         "(with ACTORS_ON_IO_THREADS and no http_proxy; https always uses "
         "curl)",
         &c::llm_plain_http),
    size("LLM_MAX_RESPONSE_BYTES", g::llm, "largest model response accepted",
         in(&server_config::llm, &llm_settings::max_response_bytes)),
    choice("LLM_VISION", g::llm,
           "show the model the page: auto (for models known to see images), on "
           "or off",
           in(&server_config::llm, &llm_settings::vision),
           {{"auto", vision_mode::automatic},
            {"on", vision_mode::on},
            {"off", vision_mode::off}}),
    integer("VISION_MAX_WIDTH", g::llm,
            "widest screenshot the model is shown, in pixels",
            in(&c::page, &page_options::vision_max_width), 200, 4096),
    integer("VISION_JPEG_QUALITY", g::llm,
            "JPEG quality of the screenshots the model is shown",
            in(&c::page, &page_options::vision_quality), 10, 100),
    duration("PLANNER_TOKEN_DELAY", g::llm,
             "pause between the offline planner's tokens",
             &c::planner_token_delay),
    // -- browser
    choice(
      "BROWSER", g::browser, "chromium, or none to run without a browser",
      &c::browser,
      {{"chromium", browser_kind::chromium}, {"none", browser_kind::none}}),
    text("CHROMIUM_PATH", g::browser, "the Chromium binary",
         in(&c::chromium, &browser_options::chromium_path), "a path"),
    chromium_flags_key(),
    integer("MAX_BROWSER_CONTEXTS", g::browser,
            "live browser contexts (idle sessions lend theirs)",
            in(&c::chromium, &browser_options::max_contexts), 1, 10'000),
    integer("BROWSER_POOL", g::browser,
            "browser contexts made ahead for new sessions (within MAX_BROWSER_CONTEXTS)",
            in(&c::chromium, &browser_options::pool), 0, 64),
    choice("BROWSER_WHEN_FULL", g::browser,
           "wait or refuse when every context is running (idle ones are lent)",
           in(&c::chromium, &browser_options::wait_when_full),
           {{"wait", true}, {"refuse", false}}),
    duration("TOOL_TIMEOUT", g::browser, "longest a browser tool may take",
             in(&c::session, &session_limits::tool_timeout)),
    flag("SCREENSHOT_AFTER_ACTIONS", g::browser,
         "a screenshot event after each page action",
         in(&c::page, &page_options::screenshot_after_actions)),
    integer("MAX_TABS", g::browser,
            "most tabs a session may have open (popups past it are closed)",
            in(&c::page, &page_options::max_tabs), 1, 64),
    text("ARTIFACTS_DIR", g::browser,
         "each session's downloads and uploaded files go to <dir>/<session id>/",
         in(&c::page, &page_options::artifacts_dir), "a path"),
    size("MAX_ARTIFACT_BYTES", g::browser,
         "bytes a session's artifacts (downloads and uploads) may hold",
         in(&c::page, &page_options::max_artifact_bytes), 1024),
    integer("SCREENCAST_FPS", g::browser,
            "most live-view frames per second (WebSocket frames:true)",
            in(&c::page, &page_options::screencast_fps), 1, 30),
    flag("RECORD", g::browser,
         "each run keeps its page's frames, for replays, reports and videos",
         in(&c::page, &page_options::record)),
    integer("RECORD_FPS", g::browser,
            "most frames per second a run records while nobody watches it",
            in(&c::page, &page_options::record_fps), 1, 30),
    size("RECORD_MAX_BYTES", g::browser, "bytes of frames a run may keep",
         in(&c::page, &page_options::record_max_bytes), 1024),
    list("BROWSER_ALLOWED_HOSTS", g::browser,
         "hosts the agent may open (empty: any)", &c::browser_allowed_hosts),
    list("BROWSER_DENIED_HOSTS", g::browser, "hosts the agent may never open",
         &c::browser_denied_hosts),
    choice("BROWSER_PRIVATE_NETWORKS", g::browser,
           "private networks the browser may reach: loopback, none or all",
           &c::browser_private_networks,
           {{"loopback", private_networks::loopback},
            {"none", private_networks::none},
            {"all", private_networks::all}}),
    host_resolver_rules_key(),
    upstream_proxy_key(),
    // -- the store
    choice("STORE", g::store,
           "sqlite (sessions outlive a restart) or memory (they do not)",
           in(&c::store, &store_config::kind),
           {{"sqlite", store_kind::sqlite}, {"memory", store_kind::memory}}),
    text("STORE_PATH", g::store,
         "the SQLite database (created, with its folder)",
         in(&c::store, &store_config::path), "a path"),
    duration("STORE_RETENTION", g::store,
             "sessions that ended longer ago are deleted",
             in(&c::store, &store_config::retention), 1000),
    duration("STORE_FLUSH_INTERVAL", g::store,
             "what waits for the disk is written this often (group commit)",
             in(&c::store, &store_config::flush_interval), 1),
    choice("STORE_SYNC", g::store,
           "normal, or full to sync every commit to the disk",
           in(&c::store, &store_config::full_sync),
           {{"normal", false}, {"full", true}}),
    size("STORE_MAX_PENDING", g::store,
         "bytes waiting for the disk before new runs get 503 store_lagging",
         in(&c::store, &store_config::max_pending_bytes), 1024),
    // -- admin
    secret("ADMIN_TOKEN", g::admin,
           "bearer token for /api/admin and /metrics (required unless HOST "
           "is loopback)",
           &c::admin_token),
    secret("API_TOKEN", g::admin,
           "bearer token for /stream, /ws and /api (empty: open)",
           &c::api_token),
    flag("ALLOW_ANONYMOUS_RUNS", g::admin,
         "serve runs without API_TOKEN on a non-loopback HOST",
         &c::allow_anonymous_runs),
    // -- cluster
    listen_key(),
    text("WORKER_BIND", g::cluster,
         "agenttheo worker: address of that port (non-loopback needs "
         "CLUSTER_SECRET or WORKER_TLS_*)",
         &c::worker_bind, "an address"),
    secret("CLUSTER_SECRET", g::cluster,
           "shared secret a gateway shows its workers (never logged)",
           &c::cluster_secret),
    text("WORKER_TLS_CERT", g::cluster,
         "this node's certificate (PEM): gateway and workers talk TLS",
         &c::tls_certificate),
    text("WORKER_TLS_KEY", g::cluster, "the key of WORKER_TLS_CERT (PEM)",
         &c::tls_key),
    text("WORKER_TLS_CA", g::cluster,
         "the CA (PEM) that signs every node's certificate", &c::tls_ca),
    workers_key(),
    duration("WORKER_HEARTBEAT", g::cluster,
             "how often a gateway checks each worker", &c::worker_heartbeat,
             50),
    duration("WORKER_TIMEOUT", g::cluster, "a worker silent this long is lost",
             &c::worker_timeout, 100),
    duration("WORKER_RETRY", g::cluster,
             "pause between attempts to reach a worker that is down",
             &c::worker_retry, 10),
  };
}

} // namespace

std::string_view to_string(config_group group) {
  constexpr std::string_view headings[] = {"Server and sessions", "Streams",
                                           "The model",           "The browser",
                                           "Access",              "Cluster",
                                           "The store"};
  return headings[static_cast<std::size_t>(group)];
}

const std::vector<config_key>& config_keys() {
  static const auto keys = make_keys();
  return keys;
}

} // namespace agenttheo
