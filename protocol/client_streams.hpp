#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace agenttheo {

/// The SSE and WebSocket streams each client has open, bounded by
/// CLIENT_MAX_STREAMS (0: no bound). Shared by the I/O threads.
class client_streams {
public:
  explicit client_streams(std::size_t limit = 0) : limit_(limit) {
  }

  /// Before any stream opens (the server sets it from its config).
  void set_limit(std::size_t limit) {
    limit_ = limit;
  }

  /// One more stream for `client`: a lease that counts it until released
  /// (when the stream's socket is gone), or null at the client's limit.
  std::shared_ptr<void> open(const std::string& client);

  /// Clients with streams open, and how many.
  std::vector<std::pair<std::string, std::uint64_t>> open_now() const;

  std::size_t limit() const {
    return limit_;
  }

private:
  void release(const std::string& client);

  std::size_t limit_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

} // namespace agenttheo
