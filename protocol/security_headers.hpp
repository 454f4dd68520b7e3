#pragma once

// The headers that keep the server's own pages its own: no framing by
// another site, no scripts or connections but the server's, no content
// sniffing, no full URLs leaking in Referer.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agenttheo {

/// The page's Content-Security-Policy for the web UI and the admin console:
/// their own scripts, styles and connections (SSE and the WebSocket), and
/// images from blob:/data: (screenshots and the live view).
inline constexpr std::string_view ui_content_policy
  = "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// A run's report (`/api/runs/{id}/report`), in its own <meta> and on its
/// response: its inline stylesheet, script and data: images, and no
/// request at all, so it shows the same saved, mailed or offline.
inline constexpr std::string_view report_content_policy
  = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/// The headers for serving the asset at `path` of type `content_type`: on
/// every asset nosniff and a same-origin Referer; on the UI's HTML pages the
/// policy above; on the demo site's (which has inline scripts of its own,
/// as real sites do) only `frame-ancestors`.
std::vector<std::pair<std::string, std::string>>
security_headers(std::string_view path, std::string_view content_type);

} // namespace agenttheo
