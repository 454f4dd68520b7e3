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

std::vector<std::shared_ptr<open_socket>> connection_registry::open_now() const {
  std::vector<std::shared_ptr<open_socket>> open;
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [ptr, weak] : writers_)
    if (auto writer = weak.lock())
      open.push_back(std::move(writer));
  return open;
}

void connection_registry::going_away() {
  for (auto& writer : open_now())
    writer->going_away();
}

void connection_registry::close_all() {
  // Outside the lock: force_closed() calls remove().
  for (auto& writer : open_now())
    writer->force_closed();
}

} // namespace agenttheo
