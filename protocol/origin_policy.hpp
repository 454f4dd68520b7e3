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
/// `wildcard`: whether a `*` entry counts (never for admin endpoints).
origin_decision check_origin(std::string_view origin, std::string_view host,
                             const std::vector<std::string>& allowed,
                             bool wildcard = true);

/// Fetch Metadata: a browser says where each request comes from, even a
/// no-cors GET (`<img src=".../stream?command=...">`) that carries no
/// Origin. True when the request may go on: no `Sec-Fetch-Site` (programs),
/// `same-origin`, `none` (a person's own navigation), or a request whose
/// origin is let in by `ALLOWED_ORIGINS` (`decision` from check_origin).
bool fetch_site_allowed(std::string_view sec_fetch_site, std::string_view origin,
                        const origin_decision& decision);

} // namespace agenttheo
