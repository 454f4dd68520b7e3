#pragma once

#include <atomic>
#include <functional>
#include <utility>

namespace agenttheo {

/// Whether a stream's socket side is still writing what its actor handed
/// it, shared by the actor and the socket's I/O thread.
///
/// The socket reports each drain by clearing a flag; it wakes the actor
/// (`wake`, a message) only when the actor withheld frames and waits for
/// it. A stream whose socket keeps up (the usual case: each event written
/// before the next) thus costs one actor message per event, not two.
class drain_signal {
public:
  explicit drain_signal(std::function<void()> wake = {}) : wake_(std::move(wake)) {
  }

  /// Socket side: everything handed over is written.
  void drained() {
    busy_.store(false);
    if (waiting_.exchange(false) && wake_)
      wake_();
  }

  /// Actor side: frames go to the socket now (call before handing them).
  void handed() {
    busy_.store(true);
  }

  /// Actor side: true if the socket is idle. False: it is still writing,
  /// and `wake` comes once it drained (exactly one of the two happens,
  /// whichever thread sees the drain first).
  bool idle_or_wait() {
    if (!busy_.load())
      return true;
    waiting_.store(true);
    return !busy_.load() && waiting_.exchange(false);
  }

private:
  std::atomic<bool> busy_{false};
  std::atomic<bool> waiting_{false};
  std::function<void()> wake_;
};

} // namespace agenttheo
