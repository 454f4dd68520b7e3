#include "browser/navigation_policy.hpp"

#include <algorithm>
#include <cctype>

#include <arpa/inet.h>

#include "util/url_parts.hpp"
#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// `host` is `pattern` or a subdomain of it.
bool host_matches(const std::string& host, const std::string& pattern) {
  auto p = ascii_lower(pattern);
  if (host == p)
    return true;
  return host.size() > p.size()
         && host.compare(host.size() - p.size(), p.size(), p) == 0
         && host[host.size() - p.size() - 1] == '.';
}

/// 169.254.0.0/16 (link-local, where cloud metadata services live) and
/// fe80::/10, in any spelling inet_pton accepts.
bool is_link_local(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    auto addr = ntohl(v4.s_addr);
    return (addr >> 16) == ((169u << 8) | 254u);
  }
  auto bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  in6_addr v6{};
  if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1)
    return v6.s6_addr[0] == 0xfe && (v6.s6_addr[1] & 0xc0) == 0x80;
  return host == "metadata.google.internal";
}

} // namespace

std::optional<std::string> check_navigation(const navigation_policy& policy,
                                            std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return "not an absolute URL: " + std::string{url};
  auto scheme = ascii_lower(url.substr(0, colon));
  if (std::find(policy.allowed_schemes.begin(), policy.allowed_schemes.end(),
                scheme)
      == policy.allowed_schemes.end())
    return "the " + scheme + ": scheme is not allowed";
  if (url.substr(colon, 3) != "://")
    return "not an absolute URL: " + std::string{url};
  auto host = ascii_lower(split_authority(url).host);
  while (!host.empty() && host.back() == '.')
    host.pop_back();
  if (host.empty())
    return "the URL has no host";
  if (is_link_local(host))
    return "link-local and metadata addresses (" + host + ") are never allowed";
  for (const auto& denied : policy.denied_hosts)
    if (host_matches(host, denied))
      return "the host " + host + " is denied by configuration";
  if (!policy.allowed_hosts.empty()
      && std::none_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                      [&](auto& allowed) { return host_matches(host, allowed); }))
    return "the host " + host + " is not in the allowed list";
  return std::nullopt;
}

} // namespace agenttheo
