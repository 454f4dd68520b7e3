#include "llm/plain_http_url.hpp"

#include <charconv>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

constexpr std::string_view scheme = "http://";

/// `authority`'s host and port, or false if it is not one curl and we
/// would read alike.
bool split_authority(std::string_view authority, plain_http_url& out) {
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return false;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return false;
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return false;
      port = rest.substr(1);
    }
  } else if (auto colon = authority.rfind(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty())
    return false;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec]
      = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0
        || value > 65535)
      return false;
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string{host};
  out.authority = std::string{authority};
  return true;
}

} // namespace

std::optional<plain_http_url> parse_plain_http_url(std::string_view url) {
  if (url.size() <= scheme.size()
      || !iequals(url.substr(0, scheme.size()), scheme))
    return std::nullopt;
  auto rest = url.substr(scheme.size());
  if (rest.find_first_of("# \t\r\n") != std::string_view::npos)
    return std::nullopt;
  auto path_at = rest.find_first_of("/?");
  plain_http_url out;
  if (!split_authority(rest.substr(0, path_at), out))
    return std::nullopt;
  out.target = path_at == std::string_view::npos
                 ? "/"
                 : std::string{rest.substr(path_at)};
  if (out.target.front() == '?')
    out.target.insert(out.target.begin(), '/');
  return out;
}

bool http_proxy_configured(
  const std::function<const char*(const char*)>& getenv) {
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"})
    if (const char* value = getenv(name); value && *value)
      return true;
  return false;
}

} // namespace agenttheo
