#pragma once

#include <string_view>

namespace agenttheo::http {

enum class route {
  web_asset,
  health,
  sessions,
  stream,
  not_found,
};

/// What a request path maps to, and which methods it takes.
struct route_match {
  route target = route::not_found;
  /// The `Allow` header for this path, e.g. "GET, HEAD, OPTIONS".
  std::string_view allow;
  /// Whether `method` is one of them.
  bool method_allowed = false;
};

route_match resolve_route(std::string_view method, std::string_view path);

} // namespace agenttheo::http
