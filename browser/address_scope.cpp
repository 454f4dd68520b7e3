#include "browser/address_scope.hpp"

#include <array>

namespace agenttheo {

namespace {

struct network {
  const char* address;
  unsigned prefix;
  address_scope scope;
  std::string_view what;
};

using s = address_scope;

// First match wins: the metadata addresses sit inside wider ranges.
const std::array v4_networks{
  network{"169.254.169.254", 32, s::forbidden, "a cloud metadata address"},
  network{"100.100.100.200", 32, s::forbidden, "a cloud metadata address"},
  network{"168.63.129.16", 32, s::forbidden, "a cloud metadata address"},
  network{"0.0.0.0", 8, s::forbidden, "an unspecified (this-host) address"},
  network{"127.0.0.0", 8, s::loopback, "a loopback address"},
  network{"169.254.0.0", 16, s::forbidden, "a link-local address"},
  network{"10.0.0.0", 8, s::private_network, "a private address"},
  network{"172.16.0.0", 12, s::private_network, "a private address"},
  network{"192.168.0.0", 16, s::private_network, "a private address"},
  network{"100.64.0.0", 10, s::private_network, "a shared (CGNAT) address"},
  network{"192.0.0.0", 24, s::private_network, "a private address"},
  network{"198.18.0.0", 15, s::private_network, "a private address"},
  network{"224.0.0.0", 4, s::forbidden, "a multicast address"},
  network{"240.0.0.0", 4, s::forbidden, "a reserved or broadcast address"},
};

const std::array v6_networks{
  network{"fd00:ec2::254", 128, s::forbidden, "a cloud metadata address"},
  network{"::", 128, s::forbidden, "an unspecified (this-host) address"},
  network{"::1", 128, s::loopback, "a loopback address"},
  network{"fe80::", 10, s::forbidden, "a link-local address"},
  network{"fec0::", 10, s::private_network, "a private (site-local) address"},
  network{"fc00::", 7, s::private_network, "a private (unique-local) address"},
  network{"ff00::", 8, s::forbidden, "a multicast address"},
};

const network* find_network(const ip_address& address) {
  auto search = [&](const auto& table) -> const network* {
    for (const auto& n : table)
      if (in_network(address, *parse_ip_literal(n.address), n.prefix))
        return &n;
    return nullptr;
  };
  return address.v6 ? search(v6_networks) : search(v4_networks);
}

} // namespace

address_scope scope_of(const ip_address& address) {
  if (auto v4 = address.embedded_v4())
    return scope_of(*v4);
  auto* n = find_network(address);
  return n ? n->scope : address_scope::public_network;
}

std::string_view describe_scope(const ip_address& address) {
  if (auto v4 = address.embedded_v4())
    return describe_scope(*v4);
  auto* n = find_network(address);
  return n ? n->what : "a public address";
}

} // namespace agenttheo
