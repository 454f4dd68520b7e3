#include "browser/local_addresses.hpp"

#include <cstring>

#include <ifaddrs.h>
#include <netinet/in.h>

#include "browser/address_scope.hpp"

namespace agenttheo {

namespace {

bool is_interface_address(const ip_address& address) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return false;
  bool found = false;
  for (auto* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr)
      continue;
    if (i->ifa_addr->sa_family == AF_INET && !address.v6) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      found = std::memcmp(&v4->sin_addr, address.bytes.data(), 4) == 0;
    } else if (i->ifa_addr->sa_family == AF_INET6 && address.v6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      found = std::memcmp(&v6->sin6_addr, address.bytes.data(), 16) == 0;
    }
  }
  freeifaddrs(list);
  return found;
}

} // namespace

bool is_this_machine(const ip_address& address) {
  auto target = address.embedded_v4().value_or(address);
  auto scope = scope_of(target);
  if (scope == address_scope::loopback)
    return true;
  ip_address any_v4;
  ip_address any_v6;
  any_v6.v6 = true;
  if (target == any_v4 || target == any_v6)
    return true;
  return is_interface_address(target);
}

} // namespace agenttheo
