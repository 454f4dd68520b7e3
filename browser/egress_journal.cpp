#include "browser/egress_journal.hpp"

namespace agenttheo {

void egress_journal::record(std::string where, egress_refusal refusal) {
  if (refusal.code == egress_refusal::blocked)
    blocked_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> guard{mutex_};
  if (entries_.size() == capacity)
    entries_.pop_front();
  entries_.push_back({std::chrono::steady_clock::now(), std::move(where),
                      std::move(refusal)});
}

std::optional<egress_refusal> egress_journal::lookup(const std::string& where) const {
  auto since = std::chrono::steady_clock::now() - memory;
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto i = entries_.rbegin(); i != entries_.rend() && i->at >= since; ++i)
    if (i->where == where)
      return i->refusal;
  return std::nullopt;
}

} // namespace agenttheo
