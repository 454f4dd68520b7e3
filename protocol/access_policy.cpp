#include "protocol/access_policy.hpp"

#include <string>

#include "protocol/query.hpp"
#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// Compares in time that depends on the lengths only, not on where the
/// first difference is.
bool same_token(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size())
    return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

std::string_view bearer_of(std::string_view authorization) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size()
      || !iequals(authorization.substr(0, scheme.size()), scheme))
    return {};
  return authorization.substr(scheme.size());
}

std::string query_token(std::string_view query) {
  if (auto params = parse_query(query))
    if (auto* token = find_param(*params, "access_token"))
      return *token;
  return {};
}

} // namespace

access_level required_access(route target) {
  switch (target) {
    case route::admin_actors:
    case route::admin_stats:
    case route::admin_nodes:
    case route::admin_stream:
    case route::admin_clients:
    case route::admin_session_cancel:
    case route::admin_session_end:
    case route::admin_session_interrupt:
    case route::admin_disconnect:
    case route::metrics:
      return access_level::admin;
    case route::web_asset:
    case route::health:
    case route::not_found:
      return access_level::open;
    default:
      return access_level::api;
  }
}

std::optional<api_error>
check_access(access_level level, std::string_view authorization,
             std::string_view query, const server_config& config,
             bool admin_in_query) {
  if (level == access_level::open)
    return std::nullopt;
  const auto& needed = level == access_level::admin ? config.admin_token
                                                    : config.api_token;
  if (needed.empty())
    return std::nullopt;
  // A query is written to logs and browser histories: the API token may
  // travel there (EventSource and browser WebSockets cannot set headers),
  // the admin token only where it has to, the admin stream.
  std::string token{bearer_of(authorization)};
  auto from_query = token.empty();
  if (from_query)
    token = query_token(query);
  if (token.empty())
    return api_error::of(
      api_code::unauthorized,
      level == access_level::admin
        ? "admin endpoints need 'Authorization: Bearer <ADMIN_TOKEN>'"
        : "this server needs 'Authorization: Bearer <API_TOKEN>' "
          "(or access_token=<API_TOKEN> in the query)");
  auto is_admin = !config.admin_token.empty() && same_token(token, config.admin_token);
  if (is_admin && from_query && !admin_in_query)
    return api_error::of(api_code::unauthorized,
                         "the admin token is taken from the query on "
                         "/api/admin/stream only: send it as "
                         "'Authorization: Bearer <ADMIN_TOKEN>'");
  if (is_admin || same_token(token, needed))
    return std::nullopt;
  return api_error::of(api_code::unauthorized, "the token is not valid here");
}

std::string client_of(std::string_view authorization, std::string_view query,
                      const server_config& config, std::string_view peer) {
  std::string token{bearer_of(authorization)};
  if (token.empty())
    token = query_token(query);
  if (!token.empty() && !config.admin_token.empty()
      && same_token(token, config.admin_token))
    return "admin token";
  if (!token.empty() && !config.api_token.empty() && same_token(token, config.api_token))
    return "API token";
  return std::string{peer};
}

} // namespace agenttheo
