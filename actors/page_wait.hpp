#pragma once

#include <cstdint>
#include <functional>
#include <utility>

namespace agenttheo {

/// One thing the page actor waits for (the page's load, an action's settle
/// time, its downloads) with a timer that may pass first.
///
/// Whichever comes first, `end` or the timer, runs what waited, once. The
/// timer is a delayed message carrying the generation `arm` returned: a
/// timer left over from an earlier wait finds a newer generation and does
/// nothing, so nothing has to be cancelled.
class page_wait {
public:
  /// `ended`: what was awaited happened; false: the time ran out first.
  using continuation = std::function<void(bool ended)>;

  /// Waits with `then` (replacing what waited before); returns the
  /// generation the timer's message must carry.
  std::uint64_t arm(continuation then) {
    then_ = std::move(then);
    return ++generation_;
  }

  bool armed() const {
    return static_cast<bool>(then_);
  }

  /// A new timer for the same wait (what it waits for moved on: a
  /// download began); the earlier timer no longer counts.
  std::uint64_t retime() {
    return ++generation_;
  }

  /// What was awaited happened: what waited goes on.
  void end() {
    go_on(true);
  }

  /// The timer numbered `generation` passed: what waited goes on, if it
  /// is still the wait that timer was armed for.
  void expire(std::uint64_t generation) {
    if (generation == generation_)
      go_on(false);
  }

  /// Nothing waits any more (its caller answered otherwise).
  void drop() {
    then_ = nullptr;
  }

private:
  void go_on(bool ended) {
    if (!then_)
      return;
    auto then = std::exchange(then_, nullptr);
    then(ended);
  }

  continuation then_;
  std::uint64_t generation_ = 0;
};

} // namespace agenttheo
