#pragma once

// Chromium's network errors (`net::ERR_CONNECTION_REFUSED`) as sentences a
// person understands; the code itself stays with the tool's result for
// programs.

#include <string>
#include <string_view>

namespace agenttheo {

/// Why `url` could not be opened, for people: "the site refused the
/// connection (nothing listens on 127.0.0.1 port 9)". An unknown code gets
/// a plain sentence naming it.
std::string describe_net_error(std::string_view code, std::string_view url);

} // namespace agenttheo
