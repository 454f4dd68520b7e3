#include "protocol/host_policy.hpp"

#include <algorithm>

#include <arpa/inet.h>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

bool is_dotted_quad(std::string_view host) {
  in_addr addr{};
  // inet_pton takes only four decimal parts, none above 255; leading
  // zeros (read as octal elsewhere) are refused too.
  if (inet_pton(AF_INET, std::string{host}.c_str(), &addr) != 1)
    return false;
  std::size_t start = 0;
  while (start < host.size()) {
    auto end = std::min(host.find('.', start), host.size());
    if (end - start > 1 && host[start] == '0')
      return false;
    start = end + 1;
  }
  return true;
}

bool is_bracketed_v6(std::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']')
    return false;
  in6_addr addr{};
  return inet_pton(AF_INET6, std::string{host.substr(1, host.size() - 2)}.c_str(),
                   &addr)
         == 1;
}

/// A DNS name as a Host may spell it: labels of letters, digits and
/// hyphens, no empty label (so no trailing dot).
bool is_name(std::string_view host) {
  if (host.empty() || host.size() > 253)
    return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    auto ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63)
      return false;
  }
  return label > 0;
}

api_error bad_host(std::string why) {
  return api_error::of(api_code::bad_host, std::move(why));
}

} // namespace

host_rules make_host_rules(std::string_view bind_host,
                           const std::vector<std::string>& allowed_hosts) {
  host_rules rules;
  rules.names.push_back("localhost");
  if (is_name(bind_host) && !is_dotted_quad(bind_host))
    rules.names.push_back(ascii_lower(bind_host));
  for (const auto& name : allowed_hosts)
    rules.names.push_back(ascii_lower(name));
  return rules;
}

std::optional<api_error> check_host(std::string_view host, std::size_t host_headers,
                                    const host_rules& rules) {
  if (host_headers == 0 || host.empty())
    return bad_host("the request has no Host header");
  if (host_headers > 1)
    return bad_host("the request has more than one Host header");
  // host[:port], the host an IPv6 literal in brackets.
  auto host_end = host.front() == '[' ? host.find(']') : host.rfind(':');
  if (host.front() == '[') {
    if (host_end == std::string_view::npos)
      return bad_host("Host has an unclosed '['");
    ++host_end;
  } else if (host_end == std::string_view::npos) {
    host_end = host.size();
  }
  auto name = host.substr(0, host_end);
  auto port = host.substr(host_end);
  if (!port.empty()
      && (port.size() < 2 || port.front() != ':' || port.size() > 6
          || port.find_first_not_of("0123456789", 1) != std::string_view::npos))
    return bad_host("Host must be host[:port]");
  if (is_dotted_quad(name) || is_bracketed_v6(name))
    return std::nullopt;
  if (!is_name(name))
    return bad_host("Host must be host[:port]");
  auto wanted = ascii_lower(name);
  if (std::find(rules.names.begin(), rules.names.end(), wanted) != rules.names.end())
    return std::nullopt;
  return api_error::of(api_code::misdirected_request,
                       "this server does not answer to the host '" + wanted
                         + "' (add it to ALLOWED_HOSTS if it should)");
}

} // namespace agenttheo
