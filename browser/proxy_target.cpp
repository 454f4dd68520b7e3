#include "browser/proxy_target.hpp"

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

std::variant<proxy_target, std::string> connect_target(std::string_view target) {
  // A CONNECT's target is an authority: read it as an https URL's.
  auto parsed = parse_url_target("https://" + std::string{target} + "/");
  auto colon = target.rfind(':');
  auto bracket = target.rfind(']');
  auto has_port = colon != std::string_view::npos && colon + 1 < target.size()
                  && (bracket == std::string_view::npos || colon > bracket);
  if (auto* why = std::get_if<std::string>(&parsed))
    return *why;
  if (!has_port || target.find_first_of("/\\?#@") != std::string_view::npos)
    return "a CONNECT names host:port: " + std::string{target};
  auto& url = std::get<url_target>(parsed);
  return proxy_target{true, std::move(url.host), url.port, {}};
}

} // namespace

std::string proxy_target::where() const {
  return host.name + ":" + std::to_string(port);
}

std::variant<proxy_target, std::string> read_proxy_target(std::string_view method,
                                                          std::string_view target) {
  if (method == "CONNECT")
    return connect_target(target);
  constexpr std::string_view http = "http://";
  if (ascii_lower(target.substr(0, http.size())) != http)
    return "the proxy forwards http:// URLs (and CONNECT for the rest): "
           + std::string{target};
  auto parsed = parse_url_target(target);
  if (auto* why = std::get_if<std::string>(&parsed))
    return *why;
  auto& url = std::get<url_target>(parsed);
  auto rest = target.substr(http.size());
  auto path_at = rest.find_first_of("/?");
  std::string path = path_at == std::string_view::npos
                       ? "/"
                       : std::string{rest.substr(path_at)};
  if (path.front() == '?')
    path.insert(path.begin(), '/');
  if (auto hash = path.find('#'); hash != std::string::npos)
    path.erase(hash);
  return proxy_target{false, std::move(url.host), url.port, std::move(path)};
}

std::string journal_key(std::string_view url) {
  auto parsed = parse_url_target(url);
  if (auto* target = std::get_if<url_target>(&parsed))
    return target->host.name + ":" + std::to_string(target->port);
  return {};
}

} // namespace agenttheo
