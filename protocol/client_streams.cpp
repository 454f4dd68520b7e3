#include "protocol/client_streams.hpp"

namespace agenttheo {

std::shared_ptr<void> client_streams::open(const std::string& client) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& count = open_[client];
    if (limit_ > 0 && count >= limit_) {
      if (count == 0)
        open_.erase(client);
      return nullptr;
    }
    ++count;
  }
  // The registry outlives every stream (the server owns both).
  return std::shared_ptr<void>(static_cast<void*>(this),
                               [this, client](void*) { release(client); });
}

void client_streams::release(const std::string& client) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = open_.find(client);
  if (i != open_.end() && --i->second == 0)
    open_.erase(i);
}

std::vector<std::pair<std::string, std::uint64_t>> client_streams::open_now() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return {open_.begin(), open_.end()};
}

} // namespace agenttheo
