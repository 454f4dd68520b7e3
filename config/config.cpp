#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace agenttheo {

namespace {

/// A parse failure: what was expected (the caller adds key and value).
using parse_failure = std::optional<std::string>;

std::string trim(std::string_view text) {
  auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return std::string{text};
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

/// Splits `123ms` into 123 and `ms`.
std::pair<std::string_view, std::string_view> split_unit(std::string_view t) {
  auto pos = std::find_if(t.begin(), t.end(), [](char c) {
               return !std::isdigit(static_cast<unsigned char>(c));
             })
             - t.begin();
  return {t.substr(0, pos), t.substr(pos)};
}

template <class T>
parse_failure parse_integer(std::string_view text, T& out, std::uint64_t min,
                            std::uint64_t max) {
  auto value = parse_number(text);
  if (!value || *value < min || *value > max)
    return "an integer from " + std::to_string(min) + " to "
           + std::to_string(max);
  out = static_cast<T>(*value);
  return std::nullopt;
}

/// `1048576`, `512K`, `16MiB`, `1G`.
parse_failure parse_size(std::string_view text, std::size_t& out) {
  auto [digits, unit] = split_unit(text);
  auto value = parse_number(digits);
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "K" || unit == "k" || unit == "KB" || unit == "KiB")
    scale = 1ull << 10;
  else if (unit == "M" || unit == "MB" || unit == "MiB")
    scale = 1ull << 20;
  else if (unit == "G" || unit == "GB" || unit == "GiB")
    scale = 1ull << 30;
  if (!value || scale == 0 || *value > (1ull << 40) / scale)
    return "a size in bytes (e.g. 65536, 512K, 16MiB)";
  out = static_cast<std::size_t>(*value * scale);
  return std::nullopt;
}

/// true/false, 1/0, yes/no, on/off (any case).
parse_failure parse_flag(std::string_view text, bool& out) {
  std::string v;
  for (auto c : text)
    v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true" || v == "1" || v == "yes" || v == "on")
    out = true;
  else if (v == "false" || v == "0" || v == "no" || v == "off")
    out = false;
  else
    return "true or false";
  return std::nullopt;
}

/// `1500` (milliseconds), `1500ms`, `15s`, `10m`.
parse_failure parse_duration(std::string_view text,
                             std::chrono::milliseconds& out) {
  auto [digits, unit] = split_unit(text);
  auto value = parse_number(digits);
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m" || unit == "min")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  if (!value || scale == 0 || *value > (1ull << 40) / scale)
    return "a duration (e.g. 1500, 1500ms, 15s, 10m)";
  out = std::chrono::milliseconds{*value * scale};
  return std::nullopt;
}

/// A duration of at least `min_ms`: shorter ones would spin a timer.
parse_failure parse_duration_at_least(std::string_view text,
                                      std::chrono::milliseconds& out,
                                      std::int64_t min_ms) {
  if (auto err = parse_duration(text, out))
    return err;
  if (out.count() < min_ms)
    return "a duration of at least " + std::to_string(min_ms) + "ms";
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::stringstream in{std::string{text}};
  std::string item;
  while (std::getline(in, item, ','))
    if (auto t = trim(item); !t.empty())
      items.push_back(t);
  return items;
}

struct config_key {
  const char* name;
  const char* help;
  parse_failure (*apply)(server_config&, std::string_view);
};

// One row per key: its name (in .env and the environment; the flag is the
// same in lower case with dashes), what it means, and how it is parsed.
const config_key config_keys[] = {
  {"HOST", "address to listen on",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v.empty())
       return "a host name or address";
     c.host = std::string{v};
     return std::nullopt;
   }},
  {"ADMIN_TOKEN", "bearer token for /api/admin and /metrics (required unless HOST is loopback)",
   [](server_config& c, std::string_view v) {
     c.admin_token = std::string{v};
     return parse_failure{};
   }},
  {"API_TOKEN", "bearer token for /stream, /ws and /api (empty: open)",
   [](server_config& c, std::string_view v) {
     c.api_token = std::string{v};
     return parse_failure{};
   }},
  {"PORT", "TCP port to listen on (0 picks a free one)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.port, 0, 65535);
   }},
  {"LOG_LEVEL", "DEBUG, INFO, WARN or ERROR",
   [](server_config& c, std::string_view v) -> parse_failure {
     auto level = parse_log_level(v);
     if (!level)
       return "one of DEBUG, INFO, WARN, ERROR";
     c.level = *level;
     return std::nullopt;
   }},
  {"HEARTBEAT_INTERVAL", "`: ping` on streams idle this long (e.g. 15s)",
   [](server_config& c, std::string_view v) {
     return parse_duration_at_least(v, c.heartbeat_interval, 10);
   }},
  {"EVENT_LOG_MAX_EVENTS", "events each session keeps for replay",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.event_log_max_events, 1, 10'000'000);
   }},
  {"EVENT_LOG_MAX_BYTES", "bytes each session's event log may hold",
   [](server_config& c, std::string_view v) {
     return parse_size(v, c.event_log_max_bytes);
   }},
  {"SEND_QUEUE_LIMIT", "bytes queued per connection before it is dropped",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (auto err = parse_size(v, c.send_queue_limit))
       return err;
     if (c.send_queue_limit < 1024)
       return "a size of at least 1024 bytes";
     return std::nullopt;
   }},
  {"SSE_GZIP", "true: gzip SSE for clients that accept it (flushed per event)",
   [](server_config& c, std::string_view v) { return parse_flag(v, c.sse_gzip); }},
  {"WS_DEFLATE", "true: offer permessage-deflate on WebSocket",
   [](server_config& c, std::string_view v) { return parse_flag(v, c.ws_deflate); }},
  {"WS_DEFLATE_THRESHOLD", "WebSocket messages smaller than this go uncompressed",
   [](server_config& c, std::string_view v) {
     return parse_size(v, c.ws_deflate_threshold);
   }},
  {"WS_MAX_MESSAGE", "largest message a WebSocket client may send",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (auto err = parse_size(v, c.ws_max_message))
       return err;
     if (c.ws_max_message < 1024)
       return "a size of at least 1024 bytes";
     return std::nullopt;
   }},
  {"SOCKET_SEND_BUFFER", "SO_SNDBUF of stream sockets (0: kernel default)",
   [](server_config& c, std::string_view v) {
     return parse_size(v, c.socket_send_buffer);
   }},
  {"MAX_SESSIONS", "concurrent sessions before new ones get 503",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_sessions, 1, 10'000'000);
   }},
  {"SESSION_IDLE_TIMEOUT", "an idle session (no run, no subscriber) ends",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.session_idle_timeout);
   }},
  {"MAX_RUNS_PER_SESSION", "finished runs a session remembers",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_runs_per_session, 1, 100'000);
   }},
  {"MAX_COMMAND_LENGTH", "longest accepted command, in bytes",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_command_length, 1, 1'000'000);
   }},
  {"MAX_HEADER_BYTES", "largest request head (line + headers)",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (auto err = parse_size(v, c.max_header_bytes))
       return err;
     if (c.max_header_bytes < 1024)
       return "a size of at least 1024 bytes";
     return std::nullopt;
   }},
  {"ALLOWED_ORIGINS", "comma-separated origins besides the server's own",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.allowed_origins = split_list(v);
     return std::nullopt;
   }},
  {"IO_THREADS", "threads running socket I/O",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.io_threads, 1, 64);
   }},
  {"WORKER_THREADS", "actor scheduler threads (0: one per core the I/O threads leave)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.worker_threads, 0, 256);
   }},
  {"SHUTDOWN_GRACE", "time open streams get to flush on shutdown",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.shutdown_grace);
   }},
  {"PLANNER_TOKEN_DELAY", "pause between the offline planner's tokens",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.planner_token_delay);
   }},
  {"BROWSER", "chromium, or none to run without a browser",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v != "chromium" && v != "none")
       return "chromium or none";
     c.browser = std::string{v};
     return std::nullopt;
   }},
  {"CHROMIUM_PATH", "the Chromium binary",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v.empty())
       return "a path";
     c.chromium_path = std::string{v};
     return std::nullopt;
   }},
  {"CHROMIUM_FLAGS", "extra Chromium flags, space-separated",
   [](server_config& c, std::string_view v) -> parse_failure {
     std::istringstream in{std::string{v}};
     c.chromium_flags.clear();
     for (std::string flag; in >> flag;)
       c.chromium_flags.push_back(flag);
     return std::nullopt;
   }},
  {"MAX_BROWSER_CONTEXTS", "live browser contexts (one per session using it)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_browser_contexts, 1, 10'000);
   }},
  {"BROWSER_WHEN_FULL", "wait or refuse when all contexts are in use",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v != "wait" && v != "refuse")
       return "wait or refuse";
     c.browser_wait_when_full = v == "wait";
     return std::nullopt;
   }},
  {"TOOL_TIMEOUT", "longest a browser tool may take",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.tool_timeout);
   }},
  {"MAX_STEPS", "model turns per run (a request's max_steps overrides)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_steps, 1, 1000);
   }},
  {"CONTEXT_BUDGET", "estimated tokens a prompt may hold (0: no limit)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.context_budget, 0, 10'000'000);
   }},
  {"FANOUT_RATE", "deliveries per second a session paces its fan-out to (0: never hold an event)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.fanout_rate, 0, 100'000'000);
   }},
  {"MAX_QUEUED_RUNS", "runs that may wait behind a session's running one",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.max_queued_runs, 0, 1000);
   }},
  {"SCREENSHOT_AFTER_ACTIONS", "true: a screenshot event after each page action",
   [](server_config& c, std::string_view v) {
     return parse_flag(v, c.screenshot_after_actions);
   }},
  {"SCREENCAST_FPS", "most live-view frames per second (WebSocket frames:true)",
   [](server_config& c, std::string_view v) -> parse_failure {
     std::size_t fps = 0;
     if (auto err = parse_size(v, fps))
       return err;
     if (fps < 1 || fps > 30)
       return "a number of frames from 1 to 30";
     c.screencast_fps = static_cast<unsigned>(fps);
     return std::nullopt;
   }},
  {"BROWSER_ALLOWED_HOSTS", "hosts the agent may open (empty: any)",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.browser_allowed_hosts = split_list(v);
     return std::nullopt;
   }},
  {"BROWSER_DENIED_HOSTS", "hosts the agent may never open",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.browser_denied_hosts = split_list(v);
     return std::nullopt;
   }},
  {"LLM_PROVIDER", "planner, openrouter, openai, compatible, ollama, "
                   "llamacpp or vllm",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.llm_provider_key = std::string{v};
     return std::nullopt;
   }},
  {"LLM_BASE_URL", "OpenAI-compatible API base, up to /v1",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
       return "an http:// or https:// URL";
     c.llm.base_url = std::string{v};
     return std::nullopt;
   }},
  {"LLM_MODEL", "model name as the provider spells it",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.llm.model = std::string{v};
     return std::nullopt;
   }},
  {"LLM_API_KEY", "API key of the provider (never logged)",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.llm.api_key = std::string{v};
     return std::nullopt;
   }},
  {"OPENROUTER_API_KEY", "OpenRouter key; selects OpenRouter by default",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.openrouter_api_key = std::string{v};
     return std::nullopt;
   }},
  {"LLM_TEMPERATURE", "sampling temperature, 0 to 2",
   [](server_config& c, std::string_view v) -> parse_failure {
     try {
       std::size_t used = 0;
       auto t = std::stod(std::string{v}, &used);
       if (used == v.size() && t >= 0 && t <= 2) {
         c.llm.temperature = t;
         return std::nullopt;
       }
     } catch (const std::exception&) {
     }
     return "a number from 0 to 2";
   }},
  {"LLM_MAX_TOKENS", "most tokens per model turn (0: provider default)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.llm.max_tokens, 0, 1'000'000);
   }},
  {"LLM_TIMEOUT", "longest model call, retries not counted (0: none)",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.llm.request_timeout);
   }},
  {"LLM_IDLE_TIMEOUT", "a model stream silent this long is abandoned",
   [](server_config& c, std::string_view v) {
     return parse_duration_at_least(v, c.llm.idle_timeout, 10);
   }},
  {"LLM_CONNECT_TIMEOUT", "time to connect to the provider",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.llm.connect_timeout);
   }},
  {"MAX_RETRIES", "retries of a failed model call (429, 5xx, unreachable)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.llm.max_retries, 0, 20);
   }},
  {"LLM_RETRY_BASE", "first retry backoff; doubles each retry, jittered",
   [](server_config& c, std::string_view v) {
     return parse_duration(v, c.llm.retry_base);
   }},
  {"LLM_MAX_RESPONSE_BYTES", "largest model response accepted",
   [](server_config& c, std::string_view v) {
     return parse_size(v, c.llm.max_response_bytes);
   }},
  {"LISTEN", "agenttheo worker: port its gateway connects to (0: any free one)",
   [](server_config& c, std::string_view v) {
     return parse_integer(v, c.listen, 0, 65535);
   }},
  {"WORKER_BIND", "agenttheo worker: address of that port (non-loopback needs CLUSTER_SECRET or WORKER_TLS_*)",
   [](server_config& c, std::string_view v) -> parse_failure {
     if (v.empty())
       return "an address";
     c.worker_bind = std::string{v};
     return std::nullopt;
   }},
  {"CLUSTER_SECRET", "shared secret a gateway shows its workers (never logged)",
   [](server_config& c, std::string_view v) {
     c.cluster_secret = std::string{v};
     return parse_failure{};
   }},
  {"WORKER_TLS_CERT", "this node's certificate (PEM): gateway and workers talk TLS",
   [](server_config& c, std::string_view v) {
     c.tls_certificate = std::string{v};
     return parse_failure{};
   }},
  {"WORKER_TLS_KEY", "the key of WORKER_TLS_CERT (PEM)",
   [](server_config& c, std::string_view v) {
     c.tls_key = std::string{v};
     return parse_failure{};
   }},
  {"WORKER_TLS_CA", "the CA (PEM) that signs every node's certificate",
   [](server_config& c, std::string_view v) {
     c.tls_ca = std::string{v};
     return parse_failure{};
   }},
  {"WORKERS", "agenttheo serve: comma-separated host:port of worker nodes",
   [](server_config& c, std::string_view v) -> parse_failure {
     c.workers.clear();
     for (const auto& item : split_list(v)) {
       auto colon = item.rfind(':');
       std::uint16_t port = 0;
       if (colon == std::string::npos || colon == 0
           || parse_integer(std::string_view{item}.substr(colon + 1), port, 1,
                            65535))
         return "host:port[,host:port...]";
       c.workers.emplace_back(item.substr(0, colon), port);
     }
     return std::nullopt;
   }},
  {"WORKER_HEARTBEAT", "how often a gateway checks each worker",
   [](server_config& c, std::string_view v) {
     return parse_duration_at_least(v, c.worker_heartbeat, 50);
   }},
  {"WORKER_TIMEOUT", "a worker silent this long is lost",
   [](server_config& c, std::string_view v) {
     return parse_duration_at_least(v, c.worker_timeout, 100);
   }},
  {"WORKER_RETRY", "pause between attempts to reach a worker that is down",
   [](server_config& c, std::string_view v) {
     return parse_duration_at_least(v, c.worker_retry, 10);
   }},
};

struct provider_defaults {
  const char* name;
  const char* provider;
  const char* base_url;
  const char* model;
};

// Names users may give, what they mean, and their defaults.
const provider_defaults known_providers[] = {
  {"planner", "planner", "", "agenttheo-offline-planner"},
  {"openrouter", "openrouter", "https://openrouter.ai/api/v1",
   "openai/gpt-4o-mini"},
  {"openai", "openai", "https://api.openai.com/v1", "gpt-4o-mini"},
  {"compatible", "compatible", "", ""},
  {"ollama", "compatible", "http://localhost:11434/v1", ""},
  {"llamacpp", "compatible", "http://localhost:8080/v1", "default"},
  {"vllm", "compatible", "http://localhost:8000/v1", ""},
};

/// Turns the LLM keys into settings: the provider (the planner unless a key
/// says otherwise), its base URL, model and key, or an error naming the key.
std::optional<config_error> resolve_llm(server_config& cfg) {
  auto name = cfg.llm_provider_key;
  if (name.empty())
    name = cfg.openrouter_api_key.empty() ? "planner" : "openrouter";
  const provider_defaults* known = nullptr;
  for (const auto& p : known_providers)
    if (name == p.name)
      known = &p;
  if (!known)
    return config_error{"LLM_PROVIDER: expected one of planner, openrouter, "
                        "openai, compatible, ollama, llamacpp, vllm, got '"
                        + name + "'"};
  auto& llm = cfg.llm;
  llm.provider = known->provider;
  if (llm.base_url.empty())
    llm.base_url = known->base_url;
  if (llm.model.empty())
    llm.model = known->model;
  if (llm.provider == "openrouter" && llm.api_key.empty())
    llm.api_key = cfg.openrouter_api_key;
  if (llm.is_planner())
    return std::nullopt;
  if (llm.base_url.empty())
    return config_error{"LLM_BASE_URL: required for LLM_PROVIDER=" + name};
  if (llm.model.empty())
    return config_error{"LLM_MODEL: required for LLM_PROVIDER=" + name};
  if (llm.api_key.empty() && llm.provider != "compatible")
    return config_error{std::string{llm.provider == "openrouter"
                                      ? "OPENROUTER_API_KEY"
                                      : "LLM_API_KEY"}
                        + ": required for LLM_PROVIDER=" + name};
  return std::nullopt;
}

/// 127.0.0.0/8, ::1 or localhost: reachable from this machine only.
bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]")
    return true;
  return host.substr(0, 4) == "127."
         && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

/// WORKER_TLS_CERT, _KEY and _CA: all three or none, each a readable file.
std::optional<config_error> check_tls_files(const server_config& cfg) {
  std::pair<const char*, const std::string*> files[] = {
    {"WORKER_TLS_CERT", &cfg.tls_certificate},
    {"WORKER_TLS_KEY", &cfg.tls_key},
    {"WORKER_TLS_CA", &cfg.tls_ca}};
  auto given = 0;
  for (const auto& [key, path] : files)
    given += path->empty() ? 0 : 1;
  if (given == 0)
    return std::nullopt;
  if (given != 3)
    return config_error{"WORKER_TLS_CERT, WORKER_TLS_KEY and WORKER_TLS_CA "
                        "go together: give all three or none"};
  for (const auto& [key, path] : files)
    if (!std::ifstream{*path})
      return config_error{std::string{key} + ": cannot read '" + *path + "'"};
  return std::nullopt;
}

const config_key* find_key(std::string_view name) {
  for (const auto& key : config_keys)
    if (name == key.name)
      return &key;
  return nullptr;
}

std::string flag_of(std::string_view key) {
  std::string flag = "--";
  for (char c : key)
    flag += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return flag;
}

const config_key* find_flag(std::string_view flag) {
  for (const auto& key : config_keys)
    if (flag == flag_of(key.name))
      return &key;
  return nullptr;
}

std::optional<config_error> apply(server_config& cfg, const config_key& key,
                                  std::string_view value,
                                  std::string_view source) {
  if (auto expected = key.apply(cfg, value))
    return config_error{std::string{key.name} + " (" + std::string{source}
                        + "): expected " + *expected + ", got '"
                        + std::string{value} + "'"};
  return std::nullopt;
}

std::string help_text() {
  std::string text = "usage: agenttheo serve [flags]\n"
                     "       agenttheo worker --listen PORT [flags]\n\n"
                     "Every flag is also a key in config/.env and an "
                     "environment variable\n(--event-log-max-events is "
                     "EVENT_LOG_MAX_EVENTS). Flags win over the\nenvironment, "
                     "which wins over config/.env.\n\n";
  text += "  --env-file PATH               .env file to read (default "
          "config/.env)\n";
  for (const auto& key : config_keys) {
    auto flag = flag_of(key.name) + " VALUE";
    flag.resize(std::max<std::size_t>(flag.size() + 1, 30), ' ');
    text += "  " + flag + key.help + "\n";
  }
  return text;
}

/// Flags as (flag, value) pairs; `--env-file` and `--help` included.
std::variant<std::vector<std::pair<std::string, std::string>>, config_error>
split_flags(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      flags.emplace_back("--help", "");
      continue;
    }
    if (arg.rfind("--", 0) != 0)
      return config_error{"unexpected argument '" + arg + "'"};
    if (auto eq = arg.find('='); eq != std::string::npos) {
      flags.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      flags.emplace_back(arg, args[++i]);
    } else {
      return config_error{"flag " + arg + " needs a value"};
    }
  }
  return flags;
}

std::string unquote(std::string value) {
  if (value.size() >= 2
      && ((value.front() == '"' && value.back() == '"')
          || (value.front() == '\'' && value.back() == '\'')))
    return value.substr(1, value.size() - 2);
  // An unquoted value may carry a trailing comment.
  if (auto hash = value.find(" #"); hash != std::string::npos)
    value = trim(value.substr(0, hash));
  return value;
}

} // namespace

std::variant<std::vector<std::pair<std::string, std::string>>, config_error>
parse_env_text(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::istringstream in{text};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto content = trim(line);
    if (content.empty() || content.front() == '#')
      continue;
    if (content.rfind("export ", 0) == 0)
      content = trim(content.substr(7));
    auto eq = content.find('=');
    if (eq == std::string::npos || eq == 0)
      return config_error{"line " + std::to_string(number)
                          + ": expected KEY=VALUE, got '" + content + "'"};
    entries.emplace_back(trim(content.substr(0, eq)),
                         unquote(trim(content.substr(eq + 1))));
  }
  return entries;
}

config_result load_config(const std::vector<std::string>& args,
                          const env_lookup& getenv) {
  auto split = split_flags(args);
  if (auto* err = std::get_if<config_error>(&split))
    return *err;
  auto& flags = std::get<0>(split);
  server_config cfg;
  bool env_file_named = false;
  if (auto* path = getenv("AGENTTHEO_ENV_FILE")) {
    cfg.env_file = path;
    env_file_named = true;
  }
  for (const auto& [flag, value] : flags) {
    if (flag == "--help")
      return config_help{help_text()};
    if (flag == "--env-file") {
      cfg.env_file = value;
      env_file_named = true;
    }
  }
  // Layer 2: the .env file. A missing default file is fine; a missing file
  // that was named explicitly is not.
  if (std::ifstream file{cfg.env_file}; file) {
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = parse_env_text(text.str());
    if (auto* err = std::get_if<config_error>(&parsed))
      return config_error{cfg.env_file + ": " + err->message};
    for (const auto& [name, value] : std::get<0>(parsed)) {
      // Unknown keys belong to other parts of the product (LLM keys, ...).
      if (const auto* key = find_key(name))
        if (auto err = apply(cfg, *key, value, cfg.env_file))
          return *err;
    }
  } else if (env_file_named) {
    return config_error{"cannot read env file '" + cfg.env_file + "'"};
  }
  // Layer 3: the environment.
  for (const auto& key : config_keys)
    if (const char* value = getenv(key.name))
      if (auto err = apply(cfg, key, value, "environment"))
        return *err;
  // Layer 4: flags.
  for (const auto& [flag, value] : flags) {
    if (flag == "--env-file")
      continue;
    const auto* key = find_flag(flag);
    if (!key)
      return config_error{"unknown flag " + flag + " (see --help)"};
    if (auto err = apply(cfg, *key, value, flag))
      return *err;
  }
  if (auto err = resolve_llm(cfg))
    return *err;
  if (cfg.admin_token.empty() && !is_loopback_host(cfg.host))
    return config_error{"ADMIN_TOKEN: required when HOST is not a loopback "
                        "address (HOST is '" + cfg.host
                        + "'): without it anyone who can reach the server "
                          "could cancel its sessions"};
  if (auto err = check_tls_files(cfg))
    return *err;
  if (cfg.cluster_secret.empty() && !cfg.cluster_tls()
      && !is_loopback_host(cfg.worker_bind))
    return config_error{"CLUSTER_SECRET: required (or WORKER_TLS_*) when "
                        "WORKER_BIND is not a loopback address (WORKER_BIND is '"
                        + cfg.worker_bind
                        + "'): without it anyone who can reach the worker "
                          "port could run sessions on it"};
  if (cfg.worker_timeout <= cfg.worker_heartbeat)
    return config_error{"WORKER_TIMEOUT: must be longer than WORKER_HEARTBEAT"};
  return cfg;
}

} // namespace agenttheo
