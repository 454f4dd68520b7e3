#include "http/io_pin_policy.hpp"

#include <algorithm>

namespace agenttheo::http {

io_pin_policy::action
io_pin_policy::next(double others_share, clock::time_point now) {
  if (!pinned_) {
    if (now < unpinned_until_)
      return action::keep;
    pinned_ = true;
    pinned_at_ = now;
    return action::pin;
  }
  if (others_share <= leave_above)
    return action::keep;
  // Busy again soon after the last pinning: a neighbour that stays, so
  // look less often; else a passing burst, so come back soon.
  if (let_go_before_ && now - pinned_at_ < held_briefly * hold_)
    hold_ = std::min<clock::duration>(2 * hold_, longest_hold);
  else
    hold_ = first_hold;
  let_go_before_ = true;
  pinned_ = false;
  unpinned_until_ = now + hold_;
  return action::unpin;
}

} // namespace agenttheo::http
