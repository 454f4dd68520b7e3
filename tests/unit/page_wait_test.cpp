#define CAF_SUITE page_wait

#include "actors/page_wait.hpp"

#include <vector>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

/// What each `then` was told, in order.
struct outcomes {
  std::vector<bool> seen;
  page_wait::continuation record() {
    return [this](bool ended) { seen.push_back(ended); };
  }
};

} // namespace

CAF_TEST(what waits goes on once when the awaited thing ends) {
  outcomes got;
  page_wait wait;
  auto timer = wait.arm(got.record());
  CAF_CHECK(wait.armed());
  wait.end();
  CAF_CHECK(!wait.armed());
  // Its timer passes later, and a second end comes: nothing more.
  wait.expire(timer);
  wait.end();
  CAF_CHECK_EQUAL(got.seen, std::vector<bool>{true});
}

CAF_TEST(the timer goes first when nothing ends in time) {
  outcomes got;
  page_wait wait;
  auto timer = wait.arm(got.record());
  wait.expire(timer);
  wait.end(); // what it waited for, too late
  CAF_CHECK_EQUAL(got.seen, std::vector<bool>{false});
}

CAF_TEST(a timer of an earlier wait does not end the next one) {
  outcomes first;
  outcomes second;
  page_wait wait;
  auto old_timer = wait.arm(first.record());
  wait.end();
  auto new_timer = wait.arm(second.record());
  CAF_CHECK_NOT_EQUAL(old_timer, new_timer);
  wait.expire(old_timer);
  CAF_CHECK(wait.armed());
  CAF_CHECK(second.seen.empty());
  wait.expire(new_timer);
  CAF_CHECK_EQUAL(second.seen, std::vector<bool>{false});
}

CAF_TEST(a dropped wait runs nothing) {
  outcomes got;
  page_wait wait;
  auto timer = wait.arm(got.record());
  wait.drop();
  wait.end();
  wait.expire(timer);
  CAF_CHECK(got.seen.empty());
}

CAF_TEST(what waits may wait again from inside its continuation) {
  // A load that ends and starts the next wait on the same page_wait (a
  // settled action waiting for the load its click started).
  outcomes got;
  page_wait wait;
  std::uint64_t second_timer = 0;
  wait.arm([&](bool) { second_timer = wait.arm(got.record()); });
  wait.end();
  CAF_CHECK(wait.armed());
  wait.expire(second_timer);
  CAF_CHECK_EQUAL(got.seen, std::vector<bool>{false});
}

CAF_TEST(a retimed wait counts only its new timer) {
  // A wait for a download to begin that sees it begin: its short timer
  // must not end the wait for the download to finish.
  outcomes got;
  page_wait wait;
  auto begin_timer = wait.arm(got.record());
  auto finish_timer = wait.retime();
  wait.expire(begin_timer);
  CAF_CHECK(wait.armed());
  CAF_CHECK(got.seen.empty());
  wait.expire(finish_timer);
  CAF_CHECK_EQUAL(got.seen, std::vector<bool>{false});
}
