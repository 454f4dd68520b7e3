#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/llm_settings.hpp"
#include "config/log.hpp"
#include "config/settings.hpp"
#include "util/cpu_affinity.hpp"
#include "util/secret.hpp"
#include "util/thread_slice.hpp"

namespace agenttheo {

/// `chromium` (launched on first use) or `none` (runs whose model asks for
/// a tool end with capability_missing).
enum class browser_kind { chromium, none };

/// The price table that ships with the server (LLM_PRICES' default).
inline constexpr const char* default_llm_prices = "config/llm_prices.json";

/// Everything the server can be told, with its defaults. Loaded by
/// `load_config` from (lowest to highest) these defaults, `config/.env`, the
/// environment, and command-line flags.
struct server_config {
  std::string host = "127.0.0.1";
  /// Bearer token every admin request needs (`/api/admin/*`, `/metrics`).
  /// Empty: admin is open, which is allowed only on a loopback address.
  std::string admin_token;
  /// Bearer token the regular API needs (`/stream`, `/ws`, `/api/*`); the
  /// admin token works too. Empty: open.
  std::string api_token;
  /// Lets a non-loopback HOST run without API_TOKEN: anyone who reaches it
  /// may then run agents (and their browser).
  bool allow_anonymous_runs = false;
  std::uint16_t port = 8000;
  log_level level = log_level::info;

  std::size_t max_sessions = 1'000;
  client_limits clients;
  std::size_t max_command_length = 4'000;
  std::size_t max_header_bytes = 16u << 10;
  /// Origins besides the server's own that may start runs and read the API
  /// from a browser (CORS). `*` allows any.
  std::vector<std::string> allowed_origins;
  /// Host names the server answers to besides localhost, its HOST and IP
  /// literals (a DNS-rebinding page's Host is none of them).
  std::vector<std::string> allowed_hosts;
  /// 0: one per core with `actors_on_io_threads`, else one.
  unsigned io_threads = 0;
  /// I/O contexts the I/O threads are split over (evenly); 0: one per
  /// thread, so what a thread posts runs on that thread. One by default:
  /// on a machine whose cores the load shares, a context per thread loses
  /// half the goodput of a 10,000-subscriber fan-out (docs/performance.md,
  /// stop 52).
  unsigned io_contexts = 1;

  /// The I/O contexts there are (`io_threads` resolved, see above): one per
  /// thread for `io_contexts` 0, and never more than the threads.
  unsigned io_context_count() const {
    auto threads = std::max(1u, io_threads);
    return io_contexts == 0 ? threads : std::min(io_contexts, threads);
  }

  /// The threads of each I/O context after its first run it only while
  /// those running it are busy (`io_thread_gate`): a light load runs on
  /// one thread per context, with no hand-off between threads.
  bool io_threads_on_demand = true;

  /// Each I/O thread pinned to a CPU (`IO_THREAD_CPUS`); none by default.
  io_thread_cpus io_cpus;

  /// The CPU slice each I/O thread asks the kernel for (`IO_THREAD_SLICE`,
  /// util/thread_slice.hpp); 0 leaves the kernel's.
  thread_slice io_thread_slice = shortest_thread_slice;

  /// The threads of each I/O context.
  unsigned threads_per_io_context() const {
    return std::max(1u, io_threads / io_context_count());
  }
  /// CAF scheduler threads; 0 = one per core the I/O threads leave.
  unsigned worker_threads = 0;
  /// Scheduled actors and the LLM client's transfers run on the I/O
  /// threads instead of CAF's workers and a curl thread (README, How it
  /// works, "Where the threads are"; docs/performance.md, "The default
  /// since stop 46").
  bool actors_on_io_threads = true;
  /// With `actors_on_io_threads`: a plain `http://` provider's stream is
  /// read on the I/O threads' own sockets, not through curl.
  bool llm_plain_http = true;
  /// How long shutdown waits for open streams to flush their final events.
  std::chrono::milliseconds shutdown_grace{3'000};
  /// Pause between the offline planner's tokens, so its replies stream the
  /// way a real model's do. 0 streams as fast as the actors run.
  std::chrono::milliseconds planner_token_delay{15};

  browser_kind browser = browser_kind::chromium;
  browser_options chromium;
  page_options page;
  session_limits session;
  stream_options streams;
  store_config store;
  std::vector<std::string> browser_allowed_hosts;
  std::vector<std::string> browser_denied_hosts;
  private_networks browser_private_networks = private_networks::loopback;
  /// BROWSER_HOST_RESOLVER_RULES: host names the egress proxy resolves to a
  /// fixed address (name, address), like Chromium's flag of that name; in
  /// order, the first naming a host applies; `*` names any host and
  /// `not_found_rule` resolves to nothing.
  std::vector<std::pair<std::string, std::string>> browser_host_map;
  /// BROWSER_UPSTREAM_PROXY: an HTTP proxy (address and port) that the
  /// egress proxy goes through for everything beyond this machine; empty
  /// host: connect directly.
  std::string upstream_proxy_host;
  std::uint16_t upstream_proxy_port = 0;

  /// The model. Defaults to the offline planner unless a key is set.
  llm_settings llm;
  /// SECRETS_FILE: secrets every session's agent may type (README,
  /// "Secrets"), read at startup; empty: none.
  std::string secrets_file;
  std::vector<secret> secrets;
  /// LLM_PRICES: the price table (llm/price_table.hpp) `complete.usage`
  /// reckons cost with. The default file ships with the server; a file
  /// named here must exist.
  std::string llm_prices{default_llm_prices};
  /// As given, before `llm` is resolved from them.
  std::string llm_provider_key;
  std::string openrouter_api_key;

  std::string env_file = "config/.env";

  // -- a cluster (see README, "Running a cluster") --------------------------

  /// `agenttheo worker`: the port a gateway reaches it on (-1: not given;
  /// 0 picks a free one, logged).
  std::int32_t listen = -1;
  /// The address the worker port binds to. Anything but loopback needs
  /// `cluster_secret`.
  std::string worker_bind = "127.0.0.1";
  /// Shown by a gateway to each worker's door; must match on both sides.
  std::string cluster_secret;
  /// BASP over TLS (CAF's OpenSSL module): this node's certificate and key
  /// (PEM), and the CA that signs every node's certificate. All three or
  /// none; set on a gateway and its workers alike.
  std::string tls_certificate;
  std::string tls_key;
  std::string tls_ca;
  /// `agenttheo serve`: the workers (host, port) that run its sessions.
  /// Empty: the gateway runs every session itself.
  std::vector<std::pair<std::string, std::uint16_t>> workers;
  /// How often a gateway polls each worker (and the middleman heartbeat).
  std::chrono::milliseconds worker_heartbeat{1'000};
  /// A worker silent this long is lost: its streams get an `error` event
  /// and new sessions go elsewhere.
  std::chrono::milliseconds worker_timeout{5'000};
  /// Pause between attempts to reach a worker that is down.
  std::chrono::milliseconds worker_retry{1'000};

  bool cluster_tls() const {
    return !tls_certificate.empty();
  }
};

/// Reads an environment variable; nullptr when unset.
using env_lookup = std::function<const char*(const char*)>;

struct config_help {
  std::string text;
};

struct config_error {
  std::string message;
};

using config_result = std::variant<server_config, config_help, config_error>;

/// Builds the configuration. `args` are the flags after the subcommand
/// (`--port 9000`, `--port=9000`). A bad value is an error naming the key.
config_result load_config(const std::vector<std::string>& args,
                          const env_lookup& getenv);

/// Parses `KEY=VALUE` lines of a .env file into (key, value) pairs, in order.
/// Blank lines and `#` comments are skipped; `export ` and quotes are allowed.
std::variant<std::vector<std::pair<std::string, std::string>>, config_error>
parse_env_text(const std::string& text);

} // namespace agenttheo
