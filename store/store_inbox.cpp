#include "store/store_inbox.hpp"

namespace agenttheo {

void store_inbox::put(store_write write) {
  auto bytes = footprint(write);
  {
    std::lock_guard<std::mutex> guard{mutex_};
    waiting_.push_back(std::move(write));
  }
  pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

std::vector<store_write> store_inbox::take() {
  std::vector<store_write> taken;
  std::lock_guard<std::mutex> guard{mutex_};
  taken.swap(waiting_);
  // The next burst starts with room for as many.
  waiting_.reserve(taken.size());
  return taken;
}

void store_inbox::written(std::size_t bytes, std::size_t events) {
  pending_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  events_written_.fetch_add(events, std::memory_order_relaxed);
}

} // namespace agenttheo
