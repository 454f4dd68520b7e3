#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/canonical_host.hpp"
#include "browser/ip_address.hpp"
#include "config/settings.hpp"

namespace agenttheo {

/// Where the agent's browser may go. The model chooses URLs and pages
/// choose the rest, so this is a security boundary, applied to every
/// request the browser makes (by the egress proxy, after name resolution)
/// and to the URLs the model asks for (by their text, for a clear answer
/// before anything loads). Link-local, metadata, unspecified, multicast and
/// reserved addresses are refused whatever the configuration.
struct egress_policy {
  std::vector<std::string> allowed_schemes = {"http", "https"};
  private_networks private_nets = private_networks::loopback;
  /// Empty: any host not denied. Entries are names (matching the name and
  /// its subdomains), addresses in any spelling, or networks
  /// (`10.1.0.0/16`), and must match the URL's host.
  std::vector<std::string> allowed_hosts;
  /// Entries as above; neither the host nor any address it resolves to may
  /// match one.
  std::vector<std::string> denied_hosts;
};

/// nullopt if `url` may be opened as far as its text says (scheme, host,
/// an address written in it), else why not: a sentence for the model.
std::optional<std::string> check_navigation(const egress_policy& policy,
                                            std::string_view url);

/// The canonical host, before it is resolved.
std::optional<std::string> check_host(const egress_policy& policy,
                                      const canonical_host& host);

/// One address `host` resolved to (or is).
std::optional<std::string> check_address(const egress_policy& policy,
                                         const canonical_host& host,
                                         const ip_address& address);

} // namespace agenttheo
