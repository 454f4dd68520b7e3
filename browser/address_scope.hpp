#pragma once

#include <string_view>

#include "browser/ip_address.hpp"

namespace agenttheo {

/// Where an address leads, as far as the egress policy cares.
enum class address_scope {
  /// 127.0.0.0/8, ::1: this machine.
  loopback,
  /// RFC 1918, CGNAT 100.64/10, unique-local fc00::/7 and their kin:
  /// someone's internal network.
  private_network,
  /// Never reachable whatever the configuration: link-local (where cloud
  /// metadata lives), metadata services' own addresses, the unspecified
  /// address (0.0.0.0 reaches this machine on Linux), multicast, broadcast
  /// and reserved ranges.
  forbidden,
  /// Everything else.
  public_network,
};

/// The scope of `address`; an IPv6 address that carries an IPv4 one
/// (v4-mapped, NAT64, 6to4) is judged by the IPv4 address it reaches.
address_scope scope_of(const ip_address& address);

/// Why an address of that scope is refused: "a private address",
/// "a link-local address" (for `forbidden`, which kind it is).
std::string_view describe_scope(const ip_address& address);

} // namespace agenttheo
