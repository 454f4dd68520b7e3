#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace floor_bench {

/// Every token published so far, already framed as SSE events, end to end
/// (a benchmark publishes for seconds: a few hundred KiB).
class token_log {
public:
  void append(std::string_view body) {
    std::lock_guard<std::mutex> guard{mutex_};
    bytes_.append("data: ").append(body).append("\n\n");
  }

  /// The bytes after `from`; `from` moves to the end.
  std::string since(std::size_t& from) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto out = bytes_.substr(from);
    from = bytes_.size();
    return out;
  }

private:
  std::mutex mutex_;
  std::string bytes_;
};

} // namespace floor_bench
