#define CAF_SUITE event_log

#include "actors/event_log.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

event_ptr make_event(std::uint64_t id, event_type type = event_type::token,
                     std::string message_id = "m1", std::size_t size = 10) {
  return encode(event{id, type, "s", std::move(message_id),
                      "{\"x\":\"" + std::string(size, 'a') + "\"}", false});
}

} // namespace

CAF_TEST(the log keeps at most max_events and drops the oldest) {
  event_log log{5, 1u << 20};
  CAF_CHECK(log.empty());
  CAF_CHECK_EQUAL(log.first_id(), 0u);
  for (std::uint64_t id = 1; id <= 12; ++id)
    log.append(make_event(id));
  CAF_CHECK_EQUAL(log.size(), 5u);
  CAF_CHECK_EQUAL(log.first_id(), 8u);
  CAF_CHECK_EQUAL(log.last_id(), 12u);
  auto held = log.range(1, 100);
  CAF_REQUIRE_EQUAL(held.size(), 5u);
  CAF_CHECK_EQUAL(held.front()->raw.id, 8u);
  CAF_CHECK_EQUAL(log.range(9, 10).size(), 2u);
  CAF_CHECK_EQUAL(log.range(13, 20).size(), 0u);
}

CAF_TEST(the log is bounded in bytes but keeps the newest event) {
  auto one = make_event(1, event_type::token, "m1", 1000)->footprint();
  event_log log{1000, one * 3 + one / 2};
  for (std::uint64_t id = 1; id <= 10; ++id)
    log.append(make_event(id, event_type::token, "m1", 1000));
  CAF_CHECK_EQUAL(log.size(), 3u);
  CAF_CHECK_LESS_OR_EQUAL(log.bytes(), one * 3 + one / 2);
  event_log tiny{1000, 10};
  tiny.append(make_event(1, event_type::token, "m1", 5000));
  tiny.append(make_event(2, event_type::token, "m1", 5000));
  CAF_CHECK_EQUAL(tiny.size(), 1u);
  CAF_CHECK_EQUAL(tiny.last_id(), 2u);
}

CAF_TEST(replay plans skip other runs and filter by mode) {
  event_log log{100, 1u << 20};
  log.append(make_event(1, event_type::start, "m1"));
  log.append(make_event(2, event_type::token, "m1"));
  log.append(make_event(3, event_type::progress, "m1"));
  log.append(make_event(4, event_type::complete, "m1"));
  log.append(make_event(5, event_type::start, "m2"));
  log.append(make_event(6, event_type::token, "m2"));
  auto all = plan_replay(log, {"m1", 1, 4}, 0, all_modes);
  CAF_CHECK(!all.lost);
  CAF_CHECK_EQUAL(all.events.size(), 4u);
  auto msgs = plan_replay(log, {"m1", 1, 4}, 0,
                          static_cast<mode_mask>(stream_mode::messages));
  CAF_REQUIRE_EQUAL(msgs.events.size(), 3u);
  CAF_CHECK(msgs.events[1]->raw.type == event_type::token);
  auto after = plan_replay(log, {"m2", 5, 6}, 5, all_modes);
  CAF_REQUIRE_EQUAL(after.events.size(), 1u);
  CAF_CHECK_EQUAL(after.events[0]->raw.id, 6u);
  CAF_CHECK(plan_replay(log, {"m2", 5, 6}, 6, all_modes).events.empty());
  // The largest id a client can name is past everything, not before it.
  auto beyond = plan_replay(log, {"", 1, 6}, UINT64_MAX, all_modes);
  CAF_CHECK(beyond.events.empty());
  CAF_CHECK(!beyond.lost);
}

CAF_TEST(replay reports the lost range when the log was trimmed) {
  event_log log{3, 1u << 20};
  for (std::uint64_t id = 1; id <= 10; ++id)
    log.append(make_event(id));
  auto plan = plan_replay(log, {"m1", 1, 10}, 2, all_modes);
  CAF_REQUIRE(plan.lost.has_value());
  CAF_CHECK_EQUAL(plan.lost->first, 3u);
  CAF_CHECK_EQUAL(plan.lost->second, 7u);
  CAF_CHECK_EQUAL(plan.events.size(), 3u);
  // A run that started after the trimmed part has lost nothing.
  CAF_CHECK(!plan_replay(log, {"m1", 8, 10}, 0, all_modes).lost);
  // Everything of an old run gone: the whole run is the gap.
  auto gone = plan_replay(log, {"m0", 1, 4}, 0, all_modes);
  CAF_REQUIRE(gone.lost.has_value());
  CAF_CHECK_EQUAL(gone.lost->first, 1u);
  CAF_CHECK_EQUAL(gone.lost->second, 4u);
  CAF_CHECK(gone.events.empty());
}

CAF_TEST(a log restored with a skipped id finds events by their ids) {
  event_log log{100, 1u << 20};
  for (std::uint64_t id : {1, 2, 3, 5, 6})
    log.append(make_event(id));
  auto ids = [](const std::vector<event_ptr>& events) {
    std::vector<std::uint64_t> out;
    for (const auto& ev : events)
      out.push_back(ev->raw.id);
    return out;
  };
  CAF_CHECK_EQUAL(ids(log.range(3, 6)), (std::vector<std::uint64_t>{3, 5, 6}));
  CAF_CHECK_EQUAL(ids(log.range(4, 5)), (std::vector<std::uint64_t>{5}));
  CAF_CHECK_EQUAL(ids(log.range(4, 4)), (std::vector<std::uint64_t>{}));
  auto plan = plan_replay(log, {"m1", 1, 6}, 2, all_modes);
  CAF_CHECK(!plan.lost);
  CAF_CHECK_EQUAL(ids(plan.events), (std::vector<std::uint64_t>{3, 5, 6}));
}
