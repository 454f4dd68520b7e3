#pragma once

#include <chrono>

namespace agenttheo::http {

/// Whether the I/O threads stay on the CPUs they were pinned to
/// (`IO_THREAD_CPUS=auto`).
///
/// Pinned, a light load's I/O thread runs where it was woken less often
/// behind the process that woke it (docs/performance.md, "I/O threads
/// pinned to cores"); but a pinned thread cannot leave a CPU another
/// process fills, and there its tail waits for that process's time slice.
/// So the threads let go of their CPUs while another process keeps one of
/// them busy, and try again later: soon after a short contention, later
/// each time the CPU is found busy again right after (a neighbour that
/// stays).
///
/// Pure policy: fed, each window, the largest share of it that other
/// processes kept one of the pinned CPUs busy, it says what to do.
class io_pin_policy {
public:
  using clock = std::chrono::steady_clock;

  /// Another process busy on a pinned CPU for more than this share of a
  /// window: the threads let go.
  static constexpr double leave_above = 0.5;
  /// The first wait before pinning again, doubled up to `longest_hold`
  /// while each pinning is let go of within `held_briefly` of it.
  static constexpr std::chrono::seconds first_hold{2};
  static constexpr std::chrono::seconds longest_hold{32};
  static constexpr int held_briefly = 4; // times the hold that preceded it

  enum class action { keep, unpin, pin };

  /// Pinned since `now` (the threads start pinned).
  explicit io_pin_policy(clock::time_point now) : pinned_at_(now) {}

  /// After a window that ended at `now`, in which other processes kept a
  /// pinned CPU busy `others_share` of the time at most (ignored while
  /// unpinned: the threads' own time is then on any CPU).
  action next(double others_share, clock::time_point now);

  bool pinned() const {
    return pinned_;
  }

  /// How long the threads stay unpinned after letting go last.
  clock::duration hold() const {
    return hold_;
  }

private:
  bool pinned_ = true;
  bool let_go_before_ = false;
  clock::time_point pinned_at_;
  clock::time_point unpinned_until_{};
  clock::duration hold_ = first_hold;
};

} // namespace agenttheo::http
