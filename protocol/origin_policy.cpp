#include "protocol/origin_policy.hpp"

#include <algorithm>

namespace agenttheo {

origin_decision check_origin(std::string_view origin, std::string_view host,
                             const std::vector<std::string>& allowed,
                             bool wildcard) {
  if (origin.empty())
    return {true, {}};
  auto own = !host.empty()
             && (origin == "http://" + std::string{host}
                 || origin == "https://" + std::string{host});
  if (own)
    return {true, {}};
  auto listed = std::any_of(allowed.begin(), allowed.end(), [&](auto& entry) {
    return (wildcard && entry == "*") || entry == origin;
  });
  if (listed)
    return {true, std::string{origin}};
  return {false, {}};
}

bool fetch_site_allowed(std::string_view sec_fetch_site, std::string_view origin,
                        const origin_decision& decision) {
  if (sec_fetch_site.empty() || sec_fetch_site == "same-origin"
      || sec_fetch_site == "none")
    return true;
  // Another site (or a sibling on this one): only an origin the operator
  // listed, which the browser named.
  return !origin.empty() && decision.allowed && !decision.cors_origin.empty();
}

} // namespace agenttheo
