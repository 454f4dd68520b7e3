#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "browser/egress_journal.hpp"
#include "browser/egress_policy.hpp"

namespace agenttheo::http {

struct egress_proxy_settings {
  egress_policy policy;
  /// Where refusals are written down for the pages to read.
  std::shared_ptr<egress_journal> journal = std::make_shared<egress_journal>();
  /// Names resolved to fixed addresses (BROWSER_HOST_RESOLVER_RULES), in
  /// order: a name or `*` (any), an IP literal or `not_found_rule`.
  std::vector<std::pair<std::string, std::string>> host_map;
  /// BROWSER_UPSTREAM_PROXY: connections beyond loopback go through this
  /// proxy's CONNECT (empty host: directly).
  std::string upstream_host;
  std::uint16_t upstream_port = 0;
  /// What a request to one of the server's own ports may fetch (the demo
  /// site and the static assets); unset: nothing.
  std::function<bool(std::string_view method, std::string_view path)> own_server_allows;
  /// Connections served at once; more are refused (Chromium opens at most
  /// 32 per proxy).
  std::size_t max_connections = 256;
  /// A connection, or a tunnel, silent this long is closed.
  std::chrono::seconds idle_timeout{300};
};

/// The agent's Chromium sends every request here (`--proxy-server`, with
/// loopback's bypass removed): an HTTP proxy on a loopback port of its own
/// that reads each request or CONNECT, canonicalises and checks the host,
/// resolves it itself, checks every address, and connects to an address it
/// checked — so no spelling, redirect, script, frame or popup, and no DNS
/// answer that changes between check and use, reaches what the policy
/// refuses. Refusals answer 403 with the reason (and are written to the
/// journal); one request per connection, so each is judged. Runs on a
/// thread of its own.
class egress_proxy {
public:
  explicit egress_proxy(egress_proxy_settings settings);
  ~egress_proxy();

  egress_proxy(const egress_proxy&) = delete;
  egress_proxy& operator=(const egress_proxy&) = delete;

  /// Binds 127.0.0.1 on a free port and starts serving; else why not.
  std::optional<std::string> start();

  /// `http://127.0.0.1:<port>`, for Chromium's `--proxy-server`.
  std::string url() const;
  std::uint16_t port() const;

  /// A port of this process (the API's, a cluster door's) that the agent
  /// may not reach on this machine, whatever the policy.
  void protect_port(std::uint16_t port);

  const std::shared_ptr<egress_journal>& journal() const;

  /// Closes every connection and joins the thread.
  void stop();

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace agenttheo::http
