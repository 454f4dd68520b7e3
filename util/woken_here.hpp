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

  /// How a scheduler runs the jobs it kept for a scope's end.
  using run_fn = void (*)(void* scheduler);

  /// The scheduler's side, for a job a handler woke: true when a scope is
  /// open on this thread and `run(scheduler)` will be called as the
  /// outermost one ends (the scheduler keeps the job until then); false
  /// when none is open, or another scheduler's jobs wait for it.
  static bool run_at_end(run_fn run, void* scheduler);
};

} // namespace agenttheo
