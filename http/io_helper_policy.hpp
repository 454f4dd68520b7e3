#pragma once

namespace agenttheo::http {

/// When the helper threads of a shared I/O context join it and leave it.
///
/// The first thread of a context always runs it; the others (its helpers)
/// run it only while the threads already running it are busy. Two threads
/// on one context hand ready work to each other: each hand-off wakes the
/// other thread, 20-50 µs on these VMs, and the second thread takes the
/// core the model's stream or the subscribers' readers wanted. Light load
/// runs faster on one thread (docs/performance.md, stop 57); a fan-out of
/// thousands of subscribers needs every thread.
///
/// Pure policy: fed what the active threads spent of each tick, it says how
/// many threads should run the context next. It judges a window of ticks,
/// not one: a light load's bursts (a hundred sessions' tokens arriving
/// together every 50 ms) fill a tick or two and are done sooner on one
/// thread than with a second one woken for them; a fan-out fills every
/// tick.
class io_helper_policy {
public:
  /// A context with `threads` threads in all; only its first one is active.
  explicit io_helper_policy(unsigned threads);

  /// The ticks judged together; counted again after each change.
  static constexpr unsigned window_ticks = 8;
  /// The share of the active threads' time they must be busy over a
  /// window to admit one more.
  static constexpr double join_above = 0.8;
  /// One thread leaves when the others would have been busy less than this
  /// share of their time over a window.
  static constexpr double leave_below = 0.5;

  /// The threads that should run the context after a tick of `wall`
  /// seconds in which the active threads used `busy` seconds of CPU.
  /// `stalled`: work posted to the context long ago has not run, whatever
  /// the CPU says (a handler blocked off the CPU holds its thread).
  unsigned next(double busy, double wall, bool stalled);

  /// Admits every thread now (work split to run in parallel); a window
  /// later, those not needed leave again.
  void call_all() {
    change_to(threads_);
  }

  /// Back to the first thread alone, the window started over.
  void reset() {
    change_to(1);
  }

  unsigned active() const {
    return active_;
  }
  unsigned threads() const {
    return threads_;
  }

private:
  void change_to(unsigned active);

  /// Never changes: read without the owner's lock.
  const unsigned threads_;
  unsigned active_ = 1;
  /// The window so far: ticks, CPU seconds and seconds.
  unsigned ticks_ = 0;
  double busy_ = 0;
  double wall_ = 0;
};

} // namespace agenttheo::http
