#pragma once

// The element references a page's snapshots handed out (`e12`: backend DOM
// node 12), valid until the page's document changes. A reference the table
// does not hold is stale: from before a navigation, or never given; the
// model is told to take a new snapshot rather than acting on whatever node
// a new document gave the same number.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

namespace agenttheo {

class element_refs {
public:
  /// More than any page's snapshots name; past it the oldest are dropped
  /// all at once (they read as stale).
  static constexpr std::size_t max_refs = 20'000;

  void remember(const std::vector<std::int64_t>& backend_node_ids);

  /// The main frame loaded another document.
  void forget_all() {
    known_.clear();
  }

  /// The backend node id `ref` names, or what to tell the model.
  std::variant<std::int64_t, std::string> resolve(std::string_view ref) const;

  std::size_t size() const {
    return known_.size();
  }

private:
  std::unordered_set<std::int64_t> known_;
};

/// What the model reads when a ref's element is gone.
std::string stale_ref_message(std::string_view ref);

} // namespace agenttheo
