#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>

#include "http/io_pin_policy.hpp"
#include "util/thread_cpu_clock.hpp"

namespace agenttheo::http {

/// Watches the CPUs the I/O threads are pinned to and unpins and pins them
/// again as `io_pin_policy` says (`IO_THREAD_CPUS=auto`), on a thread of
/// its own that looks every `window`.
class io_pin_watch {
public:
  static constexpr std::chrono::milliseconds window{500};

  /// One I/O thread and the CPU it was pinned to.
  struct pinned_thread {
    pthread_t handle;
    int cpu;
  };

  explicit io_pin_watch(std::vector<pinned_thread> threads);
  /// Stops watching; the threads keep the affinity they have.
  ~io_pin_watch();

  io_pin_watch(const io_pin_watch&) = delete;
  io_pin_watch& operator=(const io_pin_watch&) = delete;

private:
  struct watched : pinned_thread {
    thread_cpu_clock clock;
    /// Its reading at the last window, ns.
    long long cpu_ns = 0;
  };

  void run();
  /// The largest share of the last window other processes kept one of
  /// the pinned CPUs busy.
  double others_share(double wall);
  void apply(io_pin_policy::action action);

  std::vector<watched> threads_;
  std::map<int, double> busy_;
  io_pin_policy policy_;
  std::mutex mutex_;
  std::condition_variable stopping_;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace agenttheo::http
