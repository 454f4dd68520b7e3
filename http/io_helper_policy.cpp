#include "http/io_helper_policy.hpp"

#include <algorithm>

namespace agenttheo::http {

io_helper_policy::io_helper_policy(unsigned threads)
    : threads_(std::max(1u, threads)) {}

unsigned io_helper_policy::next(double busy, double wall, bool stalled) {
  if (wall <= 0)
    return active_;
  if (stalled && active_ < threads_) {
    change_to(active_ + 1);
    return active_;
  }
  busy_ += busy;
  wall_ += wall;
  if (++ticks_ < window_ticks)
    return active_;
  // Threads' worth of work over the window.
  auto load = busy_ / wall_;
  if (active_ < threads_ && load >= join_above * active_)
    change_to(active_ + 1);
  // A stalled context keeps its helpers: the thread they stand in for may
  // still be held.
  else if (active_ > 1 && !stalled && load < leave_below * (active_ - 1))
    change_to(active_ - 1);
  else
    change_to(active_);
  return active_;
}

void io_helper_policy::change_to(unsigned active) {
  active_ = active;
  ticks_ = 0;
  busy_ = 0;
  wall_ = 0;
}

} // namespace agenttheo::http
