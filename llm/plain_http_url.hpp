#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// An `http://` URL as a request needs it: where to connect and what to ask.
struct plain_http_url {
  /// Name or address, without the brackets of an IPv6 literal.
  std::string host;
  std::uint16_t port = 80;
  /// The request target: path and query, at least "/".
  std::string target;
  /// The `Host` header's value: the authority as the URL gave it.
  std::string authority;
};

/// `url` if it is a plain `http://` URL with a host, an optional port and
/// no user info or fragment; nullopt otherwise (https, anything curl should
/// judge).
std::optional<plain_http_url> parse_plain_http_url(std::string_view url);

/// Whether curl would send an `http://` request through a proxy, by the
/// variables it reads (`http_proxy`, `all_proxy`, `ALL_PROXY`; `HTTP_PROXY`
/// it ignores for http): such requests stay curl's. `getenv` is injected
/// for the tests.
bool http_proxy_configured(
  const std::function<const char*(const char*)>& getenv);

} // namespace agenttheo
