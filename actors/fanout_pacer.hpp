#pragma once

#include <chrono>
#include <cstddef>

namespace agenttheo {

/// Decides when a session hands its new events to its subscribers.
///
/// A delivery round costs about one socket write per subscriber (~8 µs of
/// CPU on loopback, whatever the frame's size), so a session streaming 100
/// tokens/s to 10,000 subscribers would ask for a million writes a second:
/// more than two cores can do. The pacer caps a session's rounds so that
/// rounds x subscribers stays within `deliveries_per_second`: an event that
/// arrives sooner after the last round than `subscribers / rate` waits for
/// the next one and goes out with the events that joined it, all in one
/// write per subscriber. An event after a quiet spell goes at once (latency
/// first): with a few subscribers the wait is microseconds, i.e. none.
class fanout_pacer {
public:
  using clock = std::chrono::steady_clock;

  /// 0: never hold an event.
  explicit fanout_pacer(double deliveries_per_second = 0)
    : rate_(deliveries_per_second) {}

  /// How long an event arriving `now` waits for its round (zero: go now).
  clock::duration wait(clock::time_point now, std::size_t subscribers) const {
    if (rate_ <= 0 || subscribers == 0)
      return clock::duration::zero();
    auto gap = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(static_cast<double>(subscribers) / rate_));
    auto due = last_round_ + gap;
    return due > now ? due - now : clock::duration::zero();
  }

  /// A round went out at `now`.
  void delivered(clock::time_point now) {
    last_round_ = now;
  }

private:
  double rate_;
  clock::time_point last_round_{};
};

} // namespace agenttheo
