#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// Whether a request may start runs or read the API, and the CORS origin to
/// echo back (empty: send no CORS headers).
struct origin_decision {
  bool allowed = true;
  std::string cors_origin;
};

/// Any page a user visits can point an EventSource at the server, so a
/// request carrying an `Origin` is allowed only if that origin is the
/// server's own (`http://` + the request's Host) or listed in `allowed`
/// (`*` allows any). Requests without `Origin` come from programs, not from
/// browsers running someone else's page, and are allowed.
origin_decision check_origin(std::string_view origin, std::string_view host,
                             const std::vector<std::string>& allowed);

} // namespace agenttheo
