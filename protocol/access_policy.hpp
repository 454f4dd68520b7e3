#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "protocol/routes.hpp"
#include "protocol/simple_response.hpp"

namespace agenttheo {

/// Who may use an endpoint: anyone (the UI's files, `/health`, the demo
/// site), API clients (`API_TOKEN`, if set), or operators (`ADMIN_TOKEN`,
/// if set; without one the server listens on loopback only).
enum class access_level { open, api, admin };

access_level required_access(route target);

/// Whether a request may go on: nullopt, or the 401 to answer. The token is
/// `Authorization: Bearer <token>`, or an `access_token` query parameter
/// for clients that cannot set headers (EventSource, browser WebSockets).
/// The admin token also opens the API, but from the query only where
/// `admin_in_query` (the admin stream): elsewhere it must be a header.
std::optional<api_error>
check_access(access_level level, std::string_view authorization,
             std::string_view query, const server_config& config,
             bool admin_in_query = false);

/// Who a request counts against for the per-client limits: the token it
/// was let in with ("API token", "admin token"; never the token itself),
/// else the peer's address.
std::string client_of(std::string_view authorization, std::string_view query,
                      const server_config& config, std::string_view peer);

} // namespace agenttheo
