#include "util/url_parts.hpp"

namespace agenttheo {

url_authority split_authority(std::string_view url) {
  if (auto scheme_end = url.find("://"); scheme_end != std::string_view::npos)
    url.remove_prefix(scheme_end + 3);
  auto authority = url.substr(0, url.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  // An IPv6 literal keeps its brackets (one never closed is no host); the
  // port follows them.
  auto host_end = authority.size();
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    host_end = close == std::string_view::npos ? 0 : close + 1;
  } else if (auto colon = authority.find(':');
             colon != std::string_view::npos) {
    host_end = colon;
  }
  url_authority out{std::string{authority.substr(0, host_end)}, {}};
  auto rest = authority.substr(host_end);
  if (rest.size() > 1 && rest.front() == ':'
      && rest.find_first_not_of("0123456789", 1) == std::string_view::npos)
    out.port = std::string{rest.substr(1)};
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]")
    return true;
  return host.substr(0, 4) == "127."
         && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

} // namespace agenttheo
