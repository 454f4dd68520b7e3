#include "browser/element_refs.hpp"

#include <charconv>

namespace agenttheo {

void element_refs::remember(const std::vector<std::int64_t>& backend_node_ids) {
  if (known_.size() + backend_node_ids.size() > max_refs)
    known_.clear();
  known_.insert(backend_node_ids.begin(), backend_node_ids.end());
}

std::variant<std::int64_t, std::string>
element_refs::resolve(std::string_view ref) const {
  std::int64_t id = 0;
  auto digits = ref.substr(ref.empty() ? 0 : 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ref.empty() || ref[0] != 'e' || digits.empty() || ec != std::errc{}
      || end != digits.data() + digits.size() || id <= 0)
    return "\"" + std::string{ref}
           + "\" is not a ref: refs look like e12 and come from get_page_snapshot";
  if (known_.count(id) == 0)
    return stale_ref_message(ref);
  return id;
}

std::string stale_ref_message(std::string_view ref) {
  return "ref " + std::string{ref}
         + " is stale: the page changed since the snapshot that gave it; call "
           "get_page_snapshot again and use a ref from the new one";
}

} // namespace agenttheo
