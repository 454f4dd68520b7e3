#include "protocol/connection_registry.hpp"

#include <vector>

namespace agenttheo {

void connection_registry::add(const std::shared_ptr<open_socket>& socket) {
  std::lock_guard<std::mutex> guard{mutex_};
  writers_.emplace(socket.get(), socket);
}

void connection_registry::remove(const open_socket* socket) {
  std::lock_guard<std::mutex> guard{mutex_};
  writers_.erase(socket);
  if (writers_.empty())
    emptied_.notify_all();
}

std::size_t connection_registry::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return writers_.size();
}

bool connection_registry::wait_until_empty(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{mutex_};
  return emptied_.wait_for(guard, timeout, [this] { return writers_.empty(); });
}

void connection_registry::close_all() {
  std::vector<std::shared_ptr<open_socket>> remaining;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [ptr, weak] : writers_)
      if (auto writer = weak.lock())
        remaining.push_back(std::move(writer));
  }
  // Outside the lock: force_closed() calls remove().
  for (auto& writer : remaining)
    writer->force_closed();
}

} // namespace agenttheo
