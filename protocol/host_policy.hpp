#pragma once

// Which `Host` the server answers to. A page on evil.example whose name is
// made to resolve to 127.0.0.1 (DNS rebinding) reaches the server with
// `Host: evil.example:8000` and its own origin: the Origin check, which
// compares Origin with Host, cannot see it. Only a Host allow-list can.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/api_error.hpp"

namespace agenttheo {

struct host_rules {
  /// Names answered to besides IP literals: `localhost`, the configured
  /// HOST when it is a name, and ALLOWED_HOSTS; lower case.
  std::vector<std::string> names;
};

/// The rules for a server bound to `bind_host` with `allowed_hosts`
/// (ALLOWED_HOSTS).
host_rules make_host_rules(std::string_view bind_host,
                           const std::vector<std::string>& allowed_hosts);

/// nullopt when the request may go on; else 400 `bad_host` (no Host, more
/// than one, or not `host[:port]`) or 421 `misdirected_request` (a name not
/// answered to). An IP literal in canonical form (dotted quad, bracketed
/// IPv6) is always answered to: no name, nothing to rebind. Other numeric
/// spellings (`2130706433`, `0x7f.1`) are names, and refused.
std::optional<api_error> check_host(std::string_view host, std::size_t host_headers,
                                    const host_rules& rules);

} // namespace agenttheo
