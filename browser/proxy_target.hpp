#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "browser/canonical_host.hpp"

namespace agenttheo {

/// What a request to the egress proxy asks to reach: a CONNECT's
/// `host:port`, or an absolute-form `http://host:port/path?query`.
struct proxy_target {
  /// CONNECT: a tunnel (https, wss, ws). Else one plain http request.
  bool tunnel = false;
  canonical_host host;
  std::uint16_t port = 0;
  /// The origin-form target the request is forwarded with (`/a?b`).
  std::string path;

  /// `host:port`, as the journal keys refusals.
  std::string where() const;
};

/// The target of a request line; else why the proxy cannot serve it.
std::variant<proxy_target, std::string> read_proxy_target(std::string_view method,
                                                          std::string_view target);

/// `host:port` the way the journal keys it, for a URL a page opened.
std::string journal_key(std::string_view url);

} // namespace agenttheo
