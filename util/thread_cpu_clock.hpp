#pragma once

#include <optional>

#include <pthread.h>
#include <time.h>

namespace agenttheo {

/// The CPU time one thread of this process has run, readable from any
/// thread (what the I/O threads' gate and pin watcher judge load by).
class thread_cpu_clock {
public:
  /// A clock that reads nothing (a thread not yet started).
  thread_cpu_clock() = default;

  explicit thread_cpu_clock(pthread_t thread) {
    valid_ = pthread_getcpuclockid(thread, &clock_) == 0;
  }

  static thread_cpu_clock of_this_thread() {
    return thread_cpu_clock{pthread_self()};
  }

  /// Nanoseconds the thread has run; nothing when it cannot be read.
  std::optional<long long> ns() const {
    timespec ts{};
    if (!valid_ || clock_gettime(clock_, &ts) != 0)
      return std::nullopt;
    return static_cast<long long>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
  }

private:
  clockid_t clock_{};
  bool valid_ = false;
};

} // namespace agenttheo
