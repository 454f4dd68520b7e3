#pragma once

namespace agenttheo {

/// A scope around an I/O handler whose code wakes actors (a provider's
/// bytes sent to its call): the actors it wakes run on this thread when the
/// scope ends, instead of each being queued behind the context's other
/// handlers (and, on a context two threads share, waking the other one):
/// at 100 light runs such a hop from the provider's socket to its call took
/// 90-190 µs at p50 on this machine, where the call, its session and the
/// socket's write then took 45 together.
///
/// Open it outside any lock the handler takes: the woken actors run at its
/// end and may call back into what the handler belongs to.
class woken_here {
public:
  woken_here() noexcept;
  ~woken_here();

  woken_here(const woken_here&) = delete;
  woken_here& operator=(const woken_here&) = delete;

  /// How a scheduler runs one of its jobs.
  using run_fn = void (*)(void* scheduler, void* job);

  /// The scheduler's side: takes `job` to run at the end of the scope open
  /// on this thread; false (nothing taken) when none is open.
  static bool take(run_fn run, void* scheduler, void* job);
};

} // namespace agenttheo
