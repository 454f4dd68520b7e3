#define CAF_SUITE io_helper_policy

#include "http/io_helper_policy.hpp"

#include <utility>

#include <caf/test/unit_test.hpp>

using agenttheo::http::io_helper_policy;

namespace {

constexpr double tick = 0.005;

/// CPU seconds `threads` threads spend over one tick at `share` of it.
double busy(double share, unsigned threads) {
  return share * tick * threads;
}

/// Feeds `policy` a window of ticks at `share` of `threads` threads; what
/// it said before the last tick, and after.
std::pair<unsigned, unsigned> window(io_helper_policy& policy, double share,
                                     unsigned threads, bool stalled = false) {
  unsigned before = 0;
  for (unsigned i = 1; i < io_helper_policy::window_ticks; ++i)
    before = policy.next(busy(share, threads), tick, stalled);
  return {before, policy.next(busy(share, threads), tick, stalled)};
}

} // namespace

CAF_TEST(a context starts on its first thread alone) {
  io_helper_policy policy{4};
  CAF_CHECK_EQUAL(policy.active(), 1u);
  CAF_CHECK_EQUAL(policy.threads(), 4u);
  CAF_CHECK_EQUAL(io_helper_policy{0}.threads(), 1u);
}

CAF_TEST(
  a busy window admits one helper at a time up to the threads there are) {
  io_helper_policy policy{3};
  CAF_CHECK_EQUAL(window(policy, 0.79, 1), std::make_pair(1u, 1u));
  CAF_CHECK_EQUAL(window(policy, 0.81, 1), std::make_pair(1u, 2u));
  // Two threads at 70% each: not busy enough for a third.
  CAF_CHECK_EQUAL(window(policy, 0.7, 2), std::make_pair(2u, 2u));
  CAF_CHECK_EQUAL(window(policy, 0.95, 2), std::make_pair(2u, 3u));
  CAF_CHECK_EQUAL(window(policy, 1.0, 3), std::make_pair(3u, 3u));
}

CAF_TEST(bursts that fill a tick or two do not admit a helper) {
  io_helper_policy policy{2};
  for (int round = 0; round < 10; ++round)
    for (unsigned i = 0; i < io_helper_policy::window_ticks; ++i)
      CAF_CHECK_EQUAL(policy.next(busy(i < 2 ? 1.0 : 0.1, 1), tick, false), 1u);
}

CAF_TEST(a helper leaves after a window the others could carry) {
  io_helper_policy policy{2};
  window(policy, 1.0, 1);
  CAF_REQUIRE_EQUAL(policy.active(), 2u);
  // Two threads at 30% each: 0.6 of one thread, over half of it.
  CAF_CHECK_EQUAL(window(policy, 0.3, 2), std::make_pair(2u, 2u));
  // At 20% each: 0.4 of one thread.
  CAF_CHECK_EQUAL(window(policy, 0.2, 2), std::make_pair(2u, 1u));
}

CAF_TEST(a stalled context admits a helper at once and keeps it) {
  io_helper_policy policy{2};
  CAF_CHECK_EQUAL(policy.next(0, tick, true), 2u);
  CAF_CHECK_EQUAL(window(policy, 0, 2, true), std::make_pair(2u, 2u));
  // Unstuck and idle: it leaves after a window.
  CAF_CHECK_EQUAL(window(policy, 0, 2), std::make_pair(2u, 1u));
}

CAF_TEST(a tick of no length changes nothing) {
  io_helper_policy policy{2};
  CAF_CHECK_EQUAL(policy.next(1.0, 0, true), 1u);
}
