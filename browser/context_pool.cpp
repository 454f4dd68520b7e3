#include "browser/context_pool.hpp"

#include <algorithm>

namespace agenttheo {

void context_pool::opened(const std::string& context) {
  opening_failed(); // its slot moves from opening to open
  contexts_[context] = entry{true, false, ++clock_};
}

void context_pool::set_active(const std::string& context, bool active) {
  auto i = contexts_.find(context);
  if (i == contexts_.end())
    return;
  i->second.active = active;
  i->second.last_used = ++clock_;
  // A session that starts running again keeps its context: whoever waited
  // for it is given another one.
  if (active)
    i->second.reclaiming = false;
}

bool context_pool::closed(const std::string& context) {
  return contexts_.erase(context) > 0;
}

void context_pool::clear() {
  contexts_.clear();
}

std::vector<std::string> context_pool::reclaim_for(std::size_t waiting) {
  auto going = reclaiming_count();
  if (waiting <= going)
    return {};
  std::vector<std::pair<std::uint64_t, const std::string*>> idle;
  for (const auto& [id, e] : contexts_)
    if (!e.active && !e.reclaiming)
      idle.emplace_back(e.last_used, &id);
  std::sort(idle.begin(), idle.end());
  idle.resize(std::min(idle.size(), waiting - going));
  std::vector<std::string> chosen;
  for (auto& [when, id] : idle) {
    contexts_[*id].reclaiming = true;
    chosen.push_back(*id);
  }
  return chosen;
}

bool context_pool::has_idle() const {
  return std::any_of(contexts_.begin(), contexts_.end(), [](const auto& c) {
    return !c.second.active && !c.second.reclaiming;
  });
}

std::size_t context_pool::running_count() const {
  return opening_
         + static_cast<std::size_t>(
           std::count_if(contexts_.begin(), contexts_.end(),
                         [](const auto& c) { return c.second.active; }));
}

std::size_t context_pool::reclaiming_count() const {
  return static_cast<std::size_t>(
    std::count_if(contexts_.begin(), contexts_.end(),
                  [](const auto& c) { return c.second.reclaiming; }));
}

} // namespace agenttheo
