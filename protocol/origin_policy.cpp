#include "protocol/origin_policy.hpp"

#include <algorithm>

namespace agenttheo {

origin_decision check_origin(std::string_view origin, std::string_view host,
                             const std::vector<std::string>& allowed) {
  if (origin.empty())
    return {true, {}};
  auto own = !host.empty()
             && (origin == "http://" + std::string{host}
                 || origin == "https://" + std::string{host});
  if (own)
    return {true, {}};
  auto listed = std::any_of(allowed.begin(), allowed.end(), [&](auto& entry) {
    return entry == "*" || entry == origin;
  });
  if (listed)
    return {true, std::string{origin}};
  return {false, {}};
}

} // namespace agenttheo
