#define CAF_SUITE context_pool

#include "browser/context_pool.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

/// A pool of `n`, every slot opened and held by a running session.
context_pool filled(std::size_t n) {
  context_pool pool{n};
  for (std::size_t i = 0; i < n; ++i) {
    pool.begin_opening();
    pool.opened("c" + std::to_string(i));
  }
  return pool;
}

} // namespace

CAF_TEST(opening and open contexts both count against the limit) {
  context_pool pool{2};
  CAF_CHECK(!pool.full());
  pool.begin_opening();
  pool.begin_opening();
  CAF_CHECK(pool.full());
  pool.opening_failed();
  CAF_CHECK(!pool.full());
  pool.opened("a"); // the one opening
  CAF_CHECK(!pool.full());
  pool.begin_opening();
  CAF_CHECK(pool.full());
  CAF_CHECK_EQUAL(pool.open_count(), 1u);
  CAF_CHECK(pool.closed("a"));
  CAF_CHECK(!pool.closed("a"));
  CAF_CHECK(!pool.full());
}

CAF_TEST(no limit is never full) {
  context_pool pool{0};
  for (int i = 0; i < 100; ++i)
    pool.begin_opening();
  CAF_CHECK(!pool.full());
}

CAF_TEST(running sessions keep their contexts) {
  auto pool = filled(3);
  CAF_CHECK_EQUAL(pool.running_count(), 3u);
  CAF_CHECK(pool.closed("c1"));
  pool.begin_opening(); // for a running session too
  CAF_CHECK_EQUAL(pool.running_count(), 3u);
  CAF_CHECK(!pool.has_idle());
  CAF_CHECK(pool.reclaim_for(5).empty());
}

CAF_TEST(idle contexts are reclaimed least recently used first) {
  auto pool = filled(3);
  pool.set_active("c2", false); // idle first
  pool.set_active("c0", false);
  pool.set_active("c1", false); // idle last
  CAF_CHECK_EQUAL(pool.running_count(), 0u);
  auto first = pool.reclaim_for(1);
  CAF_REQUIRE_EQUAL(first.size(), 1u);
  CAF_CHECK_EQUAL(first[0], "c2");
  // One is on its way for the one waiting: nothing more is taken.
  CAF_CHECK(pool.reclaim_for(1).empty());
  auto two_more = pool.reclaim_for(3);
  CAF_REQUIRE_EQUAL(two_more.size(), 2u);
  CAF_CHECK_EQUAL(two_more[0], "c0");
  CAF_CHECK_EQUAL(two_more[1], "c1");
  CAF_CHECK_EQUAL(pool.reclaiming_count(), 3u);
}

CAF_TEST(a session running again keeps its context and another is asked) {
  auto pool = filled(2);
  pool.set_active("c0", false);
  pool.set_active("c1", false);
  auto first = pool.reclaim_for(1);
  CAF_REQUIRE_EQUAL(first.size(), 1u);
  CAF_CHECK_EQUAL(first[0], "c0");
  pool.set_active("c0", true);
  CAF_CHECK_EQUAL(pool.reclaiming_count(), 0u);
  auto next = pool.reclaim_for(1);
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0], "c1");
}

CAF_TEST(using a context again makes it the most recent) {
  auto pool = filled(2);
  pool.set_active("c0", false);
  pool.set_active("c1", false);
  pool.set_active("c0", true);
  pool.set_active("c0", false);
  auto chosen = pool.reclaim_for(1);
  CAF_REQUIRE_EQUAL(chosen.size(), 1u);
  CAF_CHECK_EQUAL(chosen[0], "c1");
}

CAF_TEST(a closed context is no longer reclaimed) {
  auto pool = filled(2);
  pool.set_active("c0", false);
  auto chosen = pool.reclaim_for(1);
  CAF_REQUIRE_EQUAL(chosen.size(), 1u);
  CAF_CHECK(pool.closed("c0"));
  CAF_CHECK_EQUAL(pool.reclaiming_count(), 0u);
  CAF_CHECK(!pool.full());
  pool.clear();
  CAF_CHECK_EQUAL(pool.open_count(), 0u);
}
