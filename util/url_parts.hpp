#pragma once

// Reading the parts of an address that several layers look at: the
// navigation policy (which host), the planner (a local server?), the
// browser's error sentences (which port), the config (a loopback bind).

#include <string>
#include <string_view>

namespace agenttheo {

/// The host and port of a URL's authority as written:
/// `http://user@[::1]:8080/x` gives `[::1]` and `8080`. A URL without a
/// scheme (`localhost:8000/demo/`) is read from its start. `port` is empty
/// unless digits are written after the host.
struct url_authority {
  std::string host;
  std::string port;
};

url_authority split_authority(std::string_view url);

/// 127.0.0.0/8, ::1 or localhost: reachable from this machine only.
bool is_loopback_host(std::string_view host);

} // namespace agenttheo
