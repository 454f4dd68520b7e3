#define CAF_SUITE worker_placement

#include <caf/test/unit_test.hpp>

#include "actors/worker_placement.hpp"

using namespace agenttheo;

namespace {

worker_load up(std::uint64_t live, std::uint64_t max = 0) {
  return {true, live, max};
}

worker_load down(std::uint64_t live = 0) {
  return {false, live, 0};
}

/// The chosen index (the check fails, and -1 comes back, if none was).
std::size_t pick(const std::vector<worker_load>& workers, std::size_t last) {
  auto chosen = choose_worker(workers, last);
  CAF_CHECK(chosen.has_value());
  return chosen ? *chosen : static_cast<std::size_t>(-1);
}

} // namespace

CAF_TEST(the least loaded reachable worker gets the new session) {
  CAF_CHECK_EQUAL(pick({up(3), up(1), up(2)}, 0), 1u);
  CAF_CHECK_EQUAL(pick({up(5), up(9), up(4)}, 2), 2u);
}

CAF_TEST(workers that are down or full are passed over) {
  CAF_CHECK_EQUAL(pick({down(0), up(7)}, 0), 1u);
  CAF_CHECK_EQUAL(pick({up(2, 2), up(5, 10)}, 0), 1u);
  CAF_CHECK(!choose_worker({down(), down()}, 0));
  CAF_CHECK(!choose_worker({up(4, 4)}, 0));
  CAF_CHECK(!choose_worker({}, 0));
}

CAF_TEST(equal workers take turns) {
  std::vector<worker_load> workers{up(0), up(0), up(0)};
  std::size_t last = 0;
  std::vector<std::size_t> order;
  for (int i = 0; i < 6; ++i) {
    last = *choose_worker(workers, last);
    order.push_back(last);
  }
  CAF_CHECK_EQUAL(order, (std::vector<std::size_t>{1, 2, 0, 1, 2, 0}));
}

CAF_TEST(sessions placed since the last status count as load) {
  // The router adds its placements to the last reported count: a burst of
  // new sessions spreads instead of piling onto the worker that looked
  // emptiest a second ago.
  std::vector<worker_load> workers{up(0), up(0)};
  std::size_t last = 1;
  std::vector<std::size_t> order;
  for (int i = 0; i < 4; ++i) {
    last = *choose_worker(workers, last);
    ++workers[last].live_sessions;
    order.push_back(last);
  }
  CAF_CHECK_EQUAL(order, (std::vector<std::size_t>{0, 1, 0, 1}));
}
