#include "http/io_pin_watch.hpp"

#include <algorithm>

#include "config/log.hpp"
#include "metrics/runtime_metrics.hpp"
#include "util/cpu_affinity.hpp"
#include "util/cpu_busy.hpp"

namespace agenttheo::http {

io_pin_watch::io_pin_watch(std::vector<pinned_thread> threads)
    : policy_(io_pin_policy::clock::now()) {
  for (const auto& t : threads) {
    watched w;
    static_cast<pinned_thread&>(w) = t;
    w.clock = thread_cpu_clock{t.handle};
    w.cpu_ns = w.clock.ns().value_or(0);
    threads_.push_back(w);
  }
  busy_ = cpu_busy_seconds();
  thread_ = std::thread{[this] {
    // Started by the pool's owner, not an I/O thread: not pinned.
    pthread_setname_np(pthread_self(), "agenttheo.pins");
    run();
  }};
}

io_pin_watch::~io_pin_watch() {
  {
    std::lock_guard guard{mutex_};
    stop_ = true;
  }
  stopping_.notify_all();
  thread_.join();
}

void io_pin_watch::run() {
  auto last = io_pin_policy::clock::now();
  std::unique_lock lock{mutex_};
  while (!stopping_.wait_for(lock, window, [this] { return stop_; })) {
    auto now = io_pin_policy::clock::now();
    auto wall = std::chrono::duration<double>(now - last).count();
    last = now;
    apply(policy_.next(others_share(wall), now));
  }
}

double io_pin_watch::others_share(double wall) {
  auto busy = cpu_busy_seconds();
  // What each pinned CPU's own I/O threads spent of the window.
  std::map<int, double> ours;
  for (auto& t : threads_) {
    auto now = t.clock.ns().value_or(t.cpu_ns);
    ours[t.cpu] += static_cast<double>(now - t.cpu_ns) / 1e9;
    t.cpu_ns = now;
  }
  double worst = 0;
  if (wall > 0)
    for (auto [cpu, spent] : ours) {
      auto now = busy.find(cpu);
      auto before = busy_.find(cpu);
      if (now == busy.end() || before == busy_.end())
        continue;
      worst = std::max(worst, (now->second - before->second - spent) / wall);
    }
  busy_ = std::move(busy);
  return worst;
}

void io_pin_watch::apply(io_pin_policy::action action) {
  if (action == io_pin_policy::action::keep)
    return;
  auto pinning = action == io_pin_policy::action::pin;
  process_cpus every;
  for (const auto& t : threads_)
    if (!(pinning ? pin_thread_to(t.handle, t.cpu) : every.give_to(t.handle)))
      log(log_level::warn, "could not ", pinning ? "pin" : "unpin",
          " an I/O thread");
  count(pinning ? counter::io_threads_pinned : counter::io_threads_unpinned);
  log(log_level::debug, pinning ? "I/O threads pinned again"
                                : "I/O threads unpinned: another process keeps "
                                  "their CPU busy");
}

} // namespace agenttheo::http
