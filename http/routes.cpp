#include "http/routes.hpp"

#include "web/web_assets.hpp"

namespace agenttheo::http {

namespace {

constexpr std::string_view read_only = "GET, HEAD, OPTIONS";
constexpr std::string_view stream_methods = "GET, OPTIONS";

route_match match(route target, std::string_view allow,
                  std::string_view method) {
  auto allowed = method == "OPTIONS" || method == "GET"
                 || (method == "HEAD" && allow == read_only);
  return {target, allow, allowed};
}

} // namespace

route_match resolve_route(std::string_view method, std::string_view path) {
  if (path == "/stream")
    return match(route::stream, stream_methods, method);
  if (path == "/health")
    return match(route::health, read_only, method);
  if (path == "/api/sessions")
    return match(route::sessions, read_only, method);
  if (find_web_asset(path))
    return match(route::web_asset, read_only, method);
  return {};
}

} // namespace agenttheo::http
