#define CAF_SUITE send_budget

#include "protocol/send_budget.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(within the limit bytes queue) {
  actor_stats stats;
  send_budget budget{100, stats};
  CAF_CHECK(budget.add(60, 1) == send_status::queued);
  CAF_CHECK(budget.add(40, 2) == send_status::queued);
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 100u);
  budget.take(60);
  CAF_CHECK_EQUAL(budget.bytes(), 40u);
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 40u);
}

CAF_TEST(one item of any size may wait but a backlog past the limit may not) {
  actor_stats stats;
  send_budget budget{100, stats};
  CAF_CHECK(budget.add(500, 1) == send_status::backpressure);
  CAF_CHECK(budget.add(1, 2) == send_status::dropped);
  budget.count_drop(counter::slow_consumer_drops);
  CAF_CHECK_EQUAL(stats.drops.load(), 1u);
  budget.clear();
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 0u);
}

CAF_TEST(a write under way still counts as waiting but not against the limit) {
  actor_stats stats;
  send_budget budget{100, stats};
  budget.add(80, 1);
  budget.clear();
  budget.writing(80); // handed to the socket, not written yet
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 80u);
  CAF_CHECK_EQUAL(budget.bytes(), 0u);
  CAF_CHECK(budget.add(90, 1) == send_status::queued);
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 170u);
  budget.written();
  CAF_CHECK_EQUAL(stats.queued_bytes.load(), 90u);
}

CAF_TEST(droppable items ask first and never count) {
  actor_stats stats;
  send_budget budget{100, stats};
  budget.add(90, 1);
  CAF_CHECK(!budget.would_exceed(10));
  CAF_CHECK(budget.would_exceed(11));
  CAF_CHECK_EQUAL(budget.bytes(), 90u);
}

CAF_TEST(what was written is counted apart from heartbeats) {
  actor_stats stats;
  count_sent(stats, 1234, 3);
  count_sent(stats, 9, 0);
  CAF_CHECK_EQUAL(stats.bytes_sent.load(), 1243u);
  CAF_CHECK_EQUAL(stats.events_sent.load(), 3u);
}
