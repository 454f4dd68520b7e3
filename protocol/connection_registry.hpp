#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "protocol/open_socket.hpp"

namespace agenttheo {

/// The open streams, so shutdown can wait for them to flush and then close
/// whatever is left, and so operators can count them.
class connection_registry {
public:
  void add(const std::shared_ptr<open_socket>& socket);

  void remove(const open_socket* socket);

  std::size_t size() const;

  /// Blocks until no stream is open or `timeout` passed; true if none is.
  bool wait_until_empty(std::chrono::milliseconds timeout);

  /// Asks every open stream to finish and close as the server goes away.
  void going_away();

  /// Tells every remaining stream the server stopped.
  void close_all();

private:
  std::vector<std::shared_ptr<open_socket>> open_now() const;

  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const open_socket*, std::weak_ptr<open_socket>> writers_;
};

} // namespace agenttheo
