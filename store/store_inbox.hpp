#pragma once

// Where sessions leave what changed for the store. A session appends
// under a short lock and goes on; the store's thread takes everything
// waiting once per flush interval and writes it in one transaction.
// (A CAF message per event would wake the store's thread for each one:
// the inbox lets a burst of thousands cost one wake-up.)
//
// Bounded in bytes, but never lossy: past the bound the inbox says it lags
// (new runs are refused until it catches up) and still takes what running
// runs produce, which their own bounds limit.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "store/store_records.hpp"

namespace agenttheo {

class store_inbox {
public:
  explicit store_inbox(std::size_t max_bytes) : max_bytes_(max_bytes) {
  }

  void put(store_write write);

  /// Everything waiting, oldest first. Its bytes count as pending until
  /// `written`.
  std::vector<store_write> take();

  /// `bytes` of what `take` gave were written (or given up on).
  void written(std::size_t bytes, std::size_t events);

  /// More is waiting (or being written) than the bound allows.
  bool lagging() const {
    return pending_bytes_.load(std::memory_order_relaxed) > max_bytes_;
  }
  std::size_t pending_bytes() const {
    return pending_bytes_.load(std::memory_order_relaxed);
  }
  std::size_t max_bytes() const {
    return max_bytes_;
  }
  std::uint64_t events_written() const {
    return events_written_.load(std::memory_order_relaxed);
  }

  /// The last flush failed (the disk is full, say): writes are kept and
  /// tried again; `/health` says so.
  std::atomic<bool> failing{false};

private:
  std::mutex mutex_;
  std::vector<store_write> waiting_;
  std::size_t max_bytes_;
  std::atomic<std::size_t> pending_bytes_{0};
  std::atomic<std::uint64_t> events_written_{0};
};

} // namespace agenttheo
