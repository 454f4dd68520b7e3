#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <boost/asio/execution_context.hpp>

#include "http/io_helper_policy.hpp"
#include "util/thread_cpu_clock.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace agenttheo::http {

/// The threads of one shared I/O context, its helpers parked while the
/// threads already running it have time to spare (`io_helper_policy` says
/// when; this runs it).
///
/// Every `tick` the first parked helper wakes, reads the active threads'
/// CPU clocks and asks the policy; an admitted helper runs the context a
/// tick at a time and asks again after each. A context with nothing to do
/// is looked at every `idle_tick`. Whether the threads are stuck rather
/// than idle, which their CPU cannot tell, a probe posted every
/// `stall_after` tells: one still queued a `stall_after` later admits a
/// helper. Work split to run in parallel (a round over several lanes)
/// calls the helpers at once (`call_helpers`).
///
/// A service of its context, so that what posts to the context finds it.
class io_thread_gate : public boost::asio::execution_context::service {
public:
  static boost::asio::execution_context::id id;

  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds tick{5};
  static constexpr std::chrono::milliseconds idle_tick{25};
  static constexpr std::chrono::milliseconds stall_after{100};

  /// `threads` threads will run `owner` (an I/O context), each calling
  /// `run` once.
  io_thread_gate(boost::asio::execution_context& owner, unsigned threads);
  /// One thread: no helpers (what asio's `use_service` would make for a
  /// context the pool did not give a gate; `call_helpers` asks first).
  explicit io_thread_gate(boost::asio::execution_context& owner)
      : io_thread_gate(owner, 1) {}

  io_thread_gate(const io_thread_gate&) = delete;
  io_thread_gate& operator=(const io_thread_gate&) = delete;

  /// Runs the context on the calling thread, its `index`th: the first
  /// until the context stops (with an idle lane, `io_idle_lane.hpp`), a
  /// helper while it is admitted, parked between. Returns once the
  /// context stopped (and `stop` was called, for a parked helper).
  void run(unsigned index);

  /// Wakes the parked helpers so that they return; call after stopping
  /// the context.
  void stop();

  /// Ready to `run` again after `stop`, only the first thread active.
  void reset();

  /// The threads admitted to run the context now.
  unsigned active() const;

  /// Admits every helper now, until a window says they are not needed.
  void call_helpers();

private:
  void shutdown() override;
  void changed_locked(unsigned before);
  void run_helper(unsigned index);
  void enter(unsigned index);
  /// Asks the policy, at most once a `tick`; needs `mutex_`.
  void tick_locked(clock::time_point now);
  bool stalled_locked(clock::time_point now);
  void probe_locked(clock::time_point now);
  long long cpu_ns(unsigned index) const;

  boost::asio::io_context& context_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  io_helper_policy policy_;
  /// Each thread's CPU clock once it entered (none before), and its
  /// reading at the last tick.
  std::vector<thread_cpu_clock> clocks_;
  std::vector<long long> cpu_at_tick_;
  clock::time_point last_tick_;
  /// The active threads' busy share at the last tick: an idle context is
  /// looked at less often.
  double last_share_ = 0;
  bool stopping_ = false;
  /// `policy_.active()`, read without the lock.
  std::atomic<unsigned> active_{1};
  std::atomic<bool> probe_queued_{false};
  clock::time_point probe_sent_;
};

/// The gate of `context`, or null when the pool gave it none (every thread
/// always runs it).
io_thread_gate* gate_of(boost::asio::io_context& context);

} // namespace agenttheo::http
