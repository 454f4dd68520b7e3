#pragma once

// A URL's host as Chromium reads it (the WHATWG URL Standard's host parser
// for http, https, ws and wss), so the policy judges the host the browser
// will actually connect to, whatever the spelling: `2852039166`,
// `0xa9fea9fe`, `0251.0376.0251.0376`, `169.254.43518`, `%31%32%37.1`,
// fullwidth digits, a trailing dot and `[::ffff:a.b.c.d]` are all IPv4
// addresses, and `http://a\@b/` goes to `a`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "browser/ip_address.hpp"

namespace agenttheo {

struct canonical_host {
  /// Serialised as the URL Standard does: `example.com`, `127.0.0.1`,
  /// `[::1]`.
  std::string name;
  /// Set when the host is an IP address, however it was written.
  std::optional<ip_address> address;
};

/// The host of a special-scheme URL, canonicalised; else why it is no host.
std::variant<canonical_host, std::string> canonicalize_host(std::string_view raw);

/// The scheme, host and port a URL reaches.
struct url_target {
  std::string scheme;
  canonical_host host;
  std::uint16_t port = 0;
};

/// Reads `url` as the URL Standard does for special schemes (tabs and
/// newlines removed, `\` as `/`, the last `@` ending the user info). For a
/// scheme that is not special the host is empty and the port 0. Else why it
/// is not a URL.
std::variant<url_target, std::string> parse_url_target(std::string_view url);

/// The port a special scheme implies: 80 for http and ws, 443 for https and
/// wss, else 0.
std::uint16_t default_port(std::string_view scheme);

} // namespace agenttheo
