#include "browser/egress_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "browser/address_scope.hpp"
#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// Names that lead to cloud metadata services, refused like their
/// addresses.
constexpr std::array<std::string_view, 5> metadata_names{
  "metadata.google.internal", "metadata.goog", "metadata", "instance-data",
  "instance-data.ec2.internal"};

std::string_view without_trailing_dot(std::string_view name) {
  while (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  return name;
}

/// `host` is `pattern` or a subdomain of it.
bool name_matches(std::string_view host, std::string_view pattern) {
  host = without_trailing_dot(host);
  pattern = without_trailing_dot(pattern);
  if (host == pattern)
    return true;
  return host.size() > pattern.size()
         && host.substr(host.size() - pattern.size()) == pattern
         && host[host.size() - pattern.size() - 1] == '.';
}

/// A list entry read as a network: `10.0.0.0/8`, `fc00::/7`, or one
/// address in any spelling a URL may use (`127.1`, `[::1]`).
struct network_entry {
  ip_address address;
  unsigned prefix = 0;
};

std::optional<network_entry> as_network(std::string_view entry) {
  auto slash = entry.find('/');
  if (slash != std::string_view::npos) {
    auto address = parse_ip_literal(entry.substr(0, slash));
    unsigned prefix = 0;
    auto bits = entry.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (!address || ec != std::errc{} || end != bits.data() + bits.size())
      return std::nullopt;
    return network_entry{*address, prefix};
  }
  if (auto literal = parse_ip_literal(entry))
    return network_entry{*literal, literal->v6 ? 128u : 32u};
  auto host = canonicalize_host(entry);
  if (auto* h = std::get_if<canonical_host>(&host); h && h->address)
    return network_entry{*h->address, h->address->v6 ? 128u : 32u};
  return std::nullopt;
}

bool address_matches(const ip_address& address, const network_entry& n) {
  if (in_network(address, n.address, n.prefix))
    return true;
  auto v4 = address.embedded_v4();
  return v4 && in_network(*v4, n.address, n.prefix);
}

bool entry_matches_host(const std::string& entry, const canonical_host& host) {
  auto lowered = ascii_lower(entry);
  if (auto n = as_network(lowered))
    return host.address && address_matches(*host.address, *n);
  return !host.address && name_matches(host.name, lowered);
}

bool entry_matches_address(const std::string& entry, const ip_address& address) {
  auto n = as_network(ascii_lower(entry));
  return n && address_matches(address, *n);
}

template <class Pred>
bool any_entry(const std::vector<std::string>& list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

/// Why the scope of `address` is refused under `policy`, if it is.
std::optional<std::string> scope_refusal(const egress_policy& policy,
                                         const ip_address& address) {
  auto what = address.to_string();
  if (auto v4 = address.embedded_v4())
    what += " (" + v4->to_string() + ")";
  what += " is " + std::string{describe_scope(address)};
  switch (scope_of(address)) {
    case address_scope::forbidden:
      return what + ", never allowed";
    case address_scope::loopback:
      if (policy.private_nets == private_networks::none)
        return what + " (BROWSER_PRIVATE_NETWORKS=none)";
      return std::nullopt;
    case address_scope::private_network:
      if (policy.private_nets != private_networks::all)
        return what;
      return std::nullopt;
    case address_scope::public_network:
      return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> check_host(const egress_policy& policy,
                                      const canonical_host& host) {
  for (auto name : metadata_names)
    if (!host.address && without_trailing_dot(host.name) == name)
      return host.name + " is a cloud metadata name, never allowed";
  if (host.address)
    if (auto refused = scope_refusal(policy, *host.address))
      return refused;
  if (any_entry(policy.denied_hosts,
                [&](auto& entry) { return entry_matches_host(entry, host); }))
    return host.name + " is denied by configuration";
  if (!policy.allowed_hosts.empty()
      && !any_entry(policy.allowed_hosts,
                    [&](auto& entry) { return entry_matches_host(entry, host); }))
    return host.name + " is not in the allowed list";
  return std::nullopt;
}

std::optional<std::string> check_address(const egress_policy& policy,
                                         const canonical_host& host,
                                         const ip_address& address) {
  auto resolved = host.address ? std::string{}
                               : host.name + " resolves to ";
  if (auto refused = scope_refusal(policy, address))
    return resolved + *refused;
  if (any_entry(policy.denied_hosts,
                [&](auto& entry) { return entry_matches_address(entry, address); }))
    return resolved + address.to_string() + ", which is denied by configuration";
  return std::nullopt;
}

std::optional<std::string> check_navigation(const egress_policy& policy,
                                            std::string_view url) {
  auto parsed = parse_url_target(url);
  if (auto* why = std::get_if<std::string>(&parsed))
    return *why;
  auto& target = std::get<url_target>(parsed);
  if (std::find(policy.allowed_schemes.begin(), policy.allowed_schemes.end(),
                target.scheme)
      == policy.allowed_schemes.end())
    return "the " + target.scheme + ": scheme is not allowed";
  if (auto refused = check_host(policy, target.host))
    return refused;
  if (target.host.address)
    return check_address(policy, target.host, *target.host.address);
  return std::nullopt;
}

} // namespace agenttheo
