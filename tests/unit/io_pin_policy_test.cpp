#define CAF_SUITE io_pin_policy

#include "http/io_pin_policy.hpp"

#include <caf/test/unit_test.hpp>

using agenttheo::http::io_pin_policy;
using action = io_pin_policy::action;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const auto start = io_pin_policy::clock::time_point{} + seconds{1000};

/// Windows of `share` every 500 ms from `from` up to `until`; the actions
/// that were not `keep`, with when they came.
std::vector<std::pair<action, io_pin_policy::clock::duration>>
windows(io_pin_policy& policy, double share,
        io_pin_policy::clock::duration from,
        io_pin_policy::clock::duration until) {
  std::vector<std::pair<action, io_pin_policy::clock::duration>> taken;
  for (auto t = from; t <= until; t += milliseconds{500})
    if (auto a = policy.next(share, start + t); a != action::keep)
      taken.emplace_back(a, t);
  return taken;
}

} // namespace

CAF_TEST(threads stay pinned while other processes leave their CPUs room) {
  io_pin_policy policy{start};
  CAF_CHECK(policy.pinned());
  CAF_CHECK(windows(policy, 0.0, seconds{0}, seconds{60}).empty());
  CAF_CHECK(
    windows(policy, io_pin_policy::leave_above, seconds{61}, seconds{90})
      .empty());
  CAF_CHECK(policy.pinned());
}

CAF_TEST(a CPU another process fills is let go of and tried again later) {
  io_pin_policy policy{start};
  CAF_CHECK(policy.next(0.9, start + seconds{30}) == action::unpin);
  CAF_CHECK(!policy.pinned());
  CAF_CHECK(policy.hold() == io_pin_policy::first_hold);
  // Unpinned, what the CPUs do is not judged: the wait alone decides.
  CAF_CHECK(policy.next(0.0, start + seconds{31}) == action::keep);
  CAF_CHECK(policy.next(0.0, start + seconds{32}) == action::pin);
  CAF_CHECK(policy.pinned());
}

CAF_TEST(a neighbour that stays is looked at less and less often) {
  io_pin_policy policy{start};
  auto taken = windows(policy, 1.0, seconds{10}, seconds{200});
  // Unpinned at once, then each pinning let go of at its first window,
  // the wait doubling up to the longest.
  std::vector<seconds> waits;
  for (std::size_t i = 1; i < taken.size(); i += 2) {
    CAF_REQUIRE(taken[i - 1].first == action::unpin);
    CAF_REQUIRE(taken[i].first == action::pin);
    waits.push_back(std::chrono::duration_cast<seconds>(taken[i].second
                                                        - taken[i - 1].second));
  }
  CAF_CHECK_EQUAL(waits.front().count(), 2);
  CAF_CHECK_EQUAL(waits.at(1).count(), 4);
  CAF_CHECK_EQUAL(waits.at(2).count(), 8);
  CAF_CHECK_EQUAL(waits.back().count(), io_pin_policy::longest_hold.count());
}

CAF_TEST(contention long after the last pinning waits the first hold again) {
  io_pin_policy policy{start};
  windows(policy, 1.0, seconds{10}, seconds{40});
  CAF_REQUIRE(policy.hold() > io_pin_policy::first_hold);
  // Pinned again and quiet for a long while: a new burst is a new story.
  windows(policy, 0.0, seconds{41}, seconds{200});
  CAF_REQUIRE(policy.pinned());
  CAF_CHECK(policy.next(1.0, start + seconds{201}) == action::unpin);
  CAF_CHECK(policy.hold() == io_pin_policy::first_hold);
}
