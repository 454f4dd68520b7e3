#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// Which URLs the agent may open. The model chooses URLs, so this is a
/// security boundary: only http and https by default, link-local and cloud
/// metadata addresses always refused, and optional host allow/deny lists.
struct navigation_policy {
  std::vector<std::string> allowed_schemes = {"http", "https"};
  /// Empty: any host not denied. Entries match the host or any subdomain.
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> denied_hosts;
};

/// nullopt if `url` may be opened, else why not (a sentence for the model
/// and the user).
std::optional<std::string> check_navigation(const navigation_policy& policy,
                                            std::string_view url);

} // namespace agenttheo
