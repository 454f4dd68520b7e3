#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// An IPv4 or IPv6 address as bytes: what the egress policy judges and what
/// the egress proxy connects to, so the two can never disagree.
struct ip_address {
  bool v6 = false;
  /// Network byte order; an IPv4 address uses the first four.
  std::array<std::uint8_t, 16> bytes{};

  static ip_address from_v4(std::uint32_t value);

  /// The IPv4 address in host byte order (v6 == false).
  std::uint32_t v4() const;

  /// `127.0.0.1`, `::1` (no brackets).
  std::string to_string() const;

  /// The IPv4 address an IPv6 one carries, if it is one of the forms that
  /// reach an IPv4 host: v4-mapped (::ffff:a.b.c.d), v4-compatible
  /// (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
  std::optional<ip_address> embedded_v4() const;

  friend bool operator==(const ip_address& a, const ip_address& b) {
    return a.v6 == b.v6 && a.bytes == b.bytes;
  }
  friend bool operator!=(const ip_address& a, const ip_address& b) {
    return !(a == b);
  }
};

/// A literal in its strict form (dotted quad, or IPv6 without brackets),
/// as the resolver and the configuration write them.
std::optional<ip_address> parse_ip_literal(std::string_view text);

/// `address` lies in `network`/`prefix_bits` (same family).
bool in_network(const ip_address& address, const ip_address& network,
                unsigned prefix_bits);

} // namespace agenttheo
