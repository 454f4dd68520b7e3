#define CAF_SUITE sink_roster

#include "actors/sink_roster.hpp"

#include <string>
#include <vector>

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

/// A lane that keeps its jobs until the test runs them, in order.
struct held_lane : sink_lane {
  std::vector<std::function<void()>> jobs;
  /// How many of `jobs` came by `dispatch`, and by `spread`.
  int dispatched = 0;
  int spread_jobs = 0;
  void post(std::function<void()> job) override {
    jobs.push_back(std::move(job));
  }
  void dispatch(std::function<void()> job) override {
    ++dispatched;
    post(std::move(job));
  }
  void spread(std::function<void()> job) override {
    ++spread_jobs;
    post(std::move(job));
  }
  void run() {
    auto now = std::move(jobs);
    jobs.clear();
    for (auto& job : now)
      job();
  }
};

/// A sink that writes down what reached it, and on which lane.
struct recording_sink : event_sink {
  const void* context;
  std::shared_ptr<held_lane> lane;
  int lanes_made = 0;
  std::vector<std::string> seen;
  sink_lane* opened_on = nullptr;

  recording_sink(const void* ctx, std::shared_ptr<held_lane> l)
    : context(ctx), lane(std::move(l)) {}

  const void* io_context() const override {
    return context;
  }
  std::shared_ptr<sink_lane> make_lane() override {
    ++lanes_made;
    return lane;
  }
  void open(std::shared_ptr<sink_lane> on, subscription_filter filter,
            event_list replay, bool final) override {
    opened_on = on.get();
    seen.push_back("open " + filter.message_id + (final ? " final" : ""));
    for (auto& ev : *replay)
      seen.push_back("replay " + std::to_string(ev->raw.id));
  }
  void deliver_round(round_ptr round) override {
    for (auto& ev : round->events)
      seen.push_back("round " + std::to_string(ev->raw.id));
    if (!round->last)
      return;
    for (auto* link = round->last->next(); link; link = link->next())
      seen.push_back("then " + std::to_string(link->event()->raw.id));
  }
  void deliver_notice(event_list events) override {
    for (auto& ev : *events)
      seen.push_back("notice " + std::to_string(ev->raw.id));
  }
};

/// A sink on a context run by two threads: each lane it makes is new.
struct two_lane_sink : recording_sink {
  std::vector<std::shared_ptr<held_lane>>& made;

  two_lane_sink(const void* ctx, std::vector<std::shared_ptr<held_lane>>& m)
    : recording_sink(ctx, nullptr), made(m) {}

  unsigned lanes() const override {
    return 2;
  }
  std::shared_ptr<sink_lane> make_lane() override {
    made.push_back(std::make_shared<held_lane>());
    return made.back();
  }
  /// Its own lane (its socket's strand, in the server): noted.
  std::shared_ptr<sink_lane> make_own_lane() override {
    own_lane = make_lane();
    return own_lane;
  }
  std::shared_ptr<sink_lane> own_lane;
};

/// A sink that logs, into a log its lane's sinks share, when it is warmed
/// and when its round comes.
struct warm_logging_sink : recording_sink {
  std::vector<std::string>& log;
  std::string name;

  warm_logging_sink(const void* ctx, std::shared_ptr<held_lane> l,
                    std::vector<std::string>& shared_log, std::string n)
      : recording_sink(ctx, std::move(l)), log(shared_log), name(std::move(n)) {
  }

  void warm() const override {
    log.push_back("warm " + name);
  }
  void deliver_round(round_ptr round) override {
    log.push_back("round " + name);
    recording_sink::deliver_round(std::move(round));
  }
};

event_ptr ev(std::uint64_t id) {
  return encode(event{id, event_type::token, "s", "m", "{}", false, 0});
}

struct fixture : test_coordinator_fixture<> {
  ~fixture() {
    // A job a test left unrun holds its sink, which holds the lane: a
    // cycle the lanes' owners alone would not free.
    lane_a->jobs.clear();
    lane_b->jobs.clear();
  }

  caf::actor subscriber() {
    return sys.spawn([] { return caf::behavior{[](int) {}}; });
  }
  int a_context = 0;
  int b_context = 0;
  std::shared_ptr<held_lane> lane_a = std::make_shared<held_lane>();
  std::shared_ptr<held_lane> lane_b = std::make_shared<held_lane>();
  sink_roster roster;
  fanout_round rounds;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sink_roster_tests, fixture)

CAF_TEST(a round is one job per context whatever the subscribers) {
  std::vector<std::shared_ptr<recording_sink>> sinks;
  for (int i = 0; i < 3; ++i) {
    sinks.push_back(std::make_shared<recording_sink>(&a_context, lane_a));
    roster.open(subscriber(), sinks.back(), {"m"}, {ev(1)}, true);
  }
  auto other = std::make_shared<recording_sink>(&b_context, lane_b);
  roster.open(subscriber(), other, {"m"}, {}, true);
  CAF_CHECK_EQUAL(sinks[0]->lanes_made + sinks[1]->lanes_made + sinks[2]->lanes_made, 1);
  CAF_CHECK_EQUAL(roster.size(), 4u);
  lane_a->run();
  lane_b->run();
  roster.deliver({ev(2), ev(3)}, rounds.start());
  CAF_CHECK_EQUAL(lane_a->jobs.size(), 1u);
  CAF_CHECK_EQUAL(lane_b->jobs.size(), 1u);
  lane_a->run();
  lane_b->run();
  for (auto& s : sinks) {
    CAF_CHECK_EQUAL(s->seen, (std::vector<std::string>{"open m", "replay 1",
                                                       "round 2", "round 3"}));
    CAF_CHECK_EQUAL(s->opened_on, lane_a.get());
  }
  CAF_CHECK_EQUAL(other->seen,
                  (std::vector<std::string>{"open m", "round 2", "round 3"}));
}

CAF_TEST(a round of one lane may run at once and one of several is spread) {
  auto on_a = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(subscriber(), on_a, {"m"}, {}, true);
  lane_a->run();
  // One lane: the session walks it itself when it runs on its thread.
  roster.deliver({ev(1)}, rounds.start());
  CAF_CHECK_EQUAL(lane_a->dispatched, 1);
  CAF_CHECK_EQUAL(lane_a->spread_jobs, 0);
  // Notices and openings are queued behind what the lane has.
  roster.notify(subscriber(), ev(2));
  auto on_b = std::make_shared<recording_sink>(&b_context, lane_b);
  roster.open(subscriber(), on_b, {"m"}, {}, true);
  CAF_CHECK_EQUAL(lane_b->dispatched, 0);
  CAF_CHECK_EQUAL(lane_b->spread_jobs, 0);
  lane_a->run();
  lane_b->run();
  // Two lanes: each goes to its own thread, the helpers called.
  roster.deliver({ev(3)}, rounds.start());
  CAF_CHECK_EQUAL(lane_a->dispatched, 1);
  CAF_CHECK_EQUAL(lane_b->dispatched, 0);
  CAF_CHECK_EQUAL(lane_a->spread_jobs, 1);
  CAF_CHECK_EQUAL(lane_b->spread_jobs, 1);
  CAF_CHECK_EQUAL(lane_a->jobs.size(), 1u);
  CAF_CHECK_EQUAL(lane_b->jobs.size(), 1u);
  lane_a->run();
  lane_b->run();
  CAF_CHECK_EQUAL(on_a->seen,
                  (std::vector<std::string>{"open m", "round 1", "round 3"}));
  CAF_CHECK_EQUAL(on_b->seen, (std::vector<std::string>{"open m", "round 3"}));
}

CAF_TEST(the round is absorbed once its jobs ran) {
  int absorbed = 0;
  fanout_round round{[&] { ++absorbed; }};
  auto sink = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(subscriber(), sink, {"m"}, {}, true);
  roster.deliver({ev(1)}, round.start());
  CAF_CHECK(!round.wait());
  lane_a->run();
  CAF_CHECK_EQUAL(absorbed, 1);
}

CAF_TEST(a removed subscriber gets no more rounds and a final replay no rounds) {
  auto gone = subscriber();
  auto kept_sink = std::make_shared<recording_sink>(&a_context, lane_a);
  auto gone_sink = std::make_shared<recording_sink>(&a_context, lane_a);
  auto done_sink = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(subscriber(), kept_sink, {"m"}, {}, true);
  roster.open(gone, gone_sink, {"m"}, {}, true);
  roster.open(subscriber(), done_sink, {"m"}, {ev(1)}, false);
  CAF_CHECK_EQUAL(roster.size(), 2u);
  roster.deliver({ev(2)}, rounds.start());
  roster.remove(gone.address());
  roster.deliver({ev(3)}, rounds.start());
  lane_a->run();
  CAF_CHECK_EQUAL(kept_sink->seen,
                  (std::vector<std::string>{"open m", "round 2", "round 3"}));
  CAF_CHECK_EQUAL(gone_sink->seen, (std::vector<std::string>{"open m", "round 2"}));
  CAF_CHECK_EQUAL(done_sink->seen,
                  (std::vector<std::string>{"open m final", "replay 1"}));
  roster.remove(gone.address()); // twice: nothing
  CAF_CHECK_EQUAL(roster.size(), 1u);
}

CAF_TEST(subscribers leave in any order and the rest keep their rounds) {
  std::vector<caf::actor> subs;
  std::vector<std::shared_ptr<recording_sink>> sinks;
  for (int i = 0; i < 6; ++i) {
    subs.push_back(subscriber());
    sinks.push_back(std::make_shared<recording_sink>(&a_context, lane_a));
    roster.open(subs.back(), sinks.back(), {"m"}, {}, true);
  }
  // The first, a middle one, the last, and the one moved into a gap.
  for (int i : {0, 2, 5, 4})
    roster.remove(subs[i].address());
  CAF_CHECK_EQUAL(roster.size(), 2u);
  roster.deliver({ev(1)}, rounds.start());
  roster.notify(subs[3], ev(9));
  roster.notify(subs[4], ev(8)); // gone: nothing
  lane_a->run();
  for (int i : {1, 3})
    CAF_CHECK_EQUAL(sinks[i]->seen.at(1), "round 1");
  CAF_CHECK_EQUAL(sinks[3]->seen.back(), "notice 9");
  for (int i : {0, 2, 4, 5})
    CAF_CHECK_EQUAL(sinks[i]->seen, (std::vector<std::string>{"open m"}));
}

CAF_TEST(a subscriber that opens again follows once) {
  auto again = subscriber();
  auto first = std::make_shared<recording_sink>(&a_context, lane_a);
  auto second = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(again, first, {"m"}, {}, true);
  roster.open(again, second, {"m"}, {}, true);
  CAF_CHECK_EQUAL(roster.size(), 1u);
  roster.deliver({ev(1)}, rounds.start());
  lane_a->run();
  CAF_CHECK_EQUAL(first->seen, (std::vector<std::string>{"open m"}));
  CAF_CHECK_EQUAL(second->seen,
                  (std::vector<std::string>{"open m", "round 1"}));
  roster.remove(again.address());
  CAF_CHECK_EQUAL(roster.size(), 0u);
}

CAF_TEST(a notice goes to its subscriber alone after what went before) {
  auto one = subscriber();
  auto one_sink = std::make_shared<recording_sink>(&a_context, lane_a);
  auto two_sink = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(one, one_sink, {"m"}, {}, true);
  roster.open(subscriber(), two_sink, {"m"}, {}, true);
  roster.deliver({ev(1)}, rounds.start());
  roster.notify(one, ev(9));
  roster.notify(subscriber(), ev(8)); // not in the roster: nothing
  lane_a->run();
  CAF_CHECK_EQUAL(one_sink->seen,
                  (std::vector<std::string>{"open m", "round 1", "notice 9"}));
  CAF_CHECK_EQUAL(two_sink->seen, (std::vector<std::string>{"open m", "round 1"}));
}

CAF_TEST(a context run by two threads gets a round as two jobs of half each) {
  std::vector<std::shared_ptr<held_lane>> lanes;
  std::vector<std::shared_ptr<two_lane_sink>> sinks;
  std::vector<caf::actor> subscribers;
  for (int i = 0; i < 4; ++i) {
    sinks.push_back(std::make_shared<two_lane_sink>(&a_context, lanes));
    subscribers.push_back(subscriber());
    roster.open(subscribers.back(), sinks.back(), {"m"}, {}, true);
  }
  CAF_REQUIRE_EQUAL(lanes.size(), 2u);
  // The first lane is the first subscriber's own; the others' are not.
  CAF_CHECK_EQUAL(sinks[0]->own_lane, lanes[0]);
  for (std::size_t i = 1; i < sinks.size(); ++i)
    CAF_CHECK_EQUAL(sinks[i]->own_lane, nullptr);
  // Joined in turn: 0 and 2 on the first lane, 1 and 3 on the second.
  for (std::size_t i = 0; i < sinks.size(); ++i)
    CAF_CHECK_EQUAL(sinks[i]->opened_on, nullptr);
  lanes[0]->run();
  lanes[1]->run();
  CAF_CHECK_EQUAL(sinks[0]->opened_on, lanes[0].get());
  CAF_CHECK_EQUAL(sinks[1]->opened_on, lanes[1].get());
  CAF_CHECK_EQUAL(sinks[2]->opened_on, lanes[0].get());
  CAF_CHECK_EQUAL(sinks[3]->opened_on, lanes[1].get());
  roster.deliver({ev(1)}, rounds.start());
  CAF_CHECK_EQUAL(lanes[0]->jobs.size(), 1u);
  CAF_CHECK_EQUAL(lanes[1]->jobs.size(), 1u);
  // Run one lane only: its half has the round, the other half not yet.
  lanes[1]->run();
  CAF_CHECK_EQUAL(sinks[1]->seen, (std::vector<std::string>{"open m", "round 1"}));
  CAF_CHECK_EQUAL(sinks[0]->seen, (std::vector<std::string>{"open m"}));
  lanes[0]->run();
  CAF_CHECK_EQUAL(sinks[0]->seen, (std::vector<std::string>{"open m", "round 1"}));
  // Two leave the second lane: the next one joins it, not the first.
  roster.remove(subscribers[1].address());
  roster.remove(subscribers[3].address());
  auto next = std::make_shared<two_lane_sink>(&a_context, lanes);
  auto next_subscriber = subscriber();
  roster.open(next_subscriber, next, {"m"}, {}, true);
  CAF_CHECK_EQUAL(lanes.size(), 2u);
  lanes[1]->run();
  CAF_CHECK_EQUAL(next->opened_on, lanes[1].get());
  // A notice goes by the lane its subscriber's rounds take.
  roster.notify(next_subscriber, ev(9));
  CAF_CHECK(lanes[0]->jobs.empty());
  lanes[1]->run();
  CAF_CHECK_EQUAL(next->seen, (std::vector<std::string>{"open m", "notice 9"}));
  CAF_CHECK_EQUAL(roster.size(), 3u);
}

CAF_TEST(a round walked late carries what was published after it) {
  auto sink = std::make_shared<recording_sink>(&a_context, lane_a);
  roster.open(subscriber(), sink, {"m"}, {}, true);
  for (auto id : {1, 2})
    roster.publish(ev(id));
  roster.deliver({ev(1), ev(2)}, rounds.start());
  // Published while the round's job waits for its lane: the job sees it.
  roster.publish(ev(3));
  lane_a->run();
  CAF_CHECK_EQUAL(sink->seen, (std::vector<std::string>{"open m", "round 1",
                                                        "round 2", "then 3"}));
}

CAF_TEST(a lane warms each sink while it writes to the one before) {
  std::vector<std::string> log;
  std::vector<std::shared_ptr<warm_logging_sink>> sinks;
  for (int i = 0; i < 4; ++i) {
    sinks.push_back(std::make_shared<warm_logging_sink>(&a_context, lane_a, log,
                                                        std::to_string(i)));
    roster.open(subscriber(), sinks.back(), {"m"}, {}, true);
  }
  lane_a->run();
  roster.deliver({ev(1)}, rounds.start());
  lane_a->run();
  CAF_CHECK_EQUAL(
    log, (std::vector<std::string>{"warm 1", "round 0", "warm 2", "round 1",
                                   "warm 3", "round 2", "round 3"}));
  for (auto& sink : sinks)
    CAF_CHECK_EQUAL(sink->seen,
                    (std::vector<std::string>{"open m", "round 1"}));
}

CAF_TEST(no sinks: a round posts nothing) {
  roster.deliver({ev(1)}, rounds.start());
  CAF_CHECK(lane_a->jobs.empty());
  CAF_CHECK(rounds.wait());
}

CAF_TEST(the busiest context is where most following subscribers are) {
  CAF_CHECK(roster.busiest_context() == nullptr);
  auto b_subscriber = subscriber();
  roster.open(b_subscriber,
              std::make_shared<recording_sink>(&b_context, lane_b), {"m"}, {},
              true);
  CAF_CHECK(roster.busiest_context() == &b_context);
  std::vector<caf::actor> on_a{subscriber(), subscriber()};
  for (auto& who : on_a)
    roster.open(who, std::make_shared<recording_sink>(&a_context, lane_a),
                {"m"}, {}, true);
  // A replay alone follows nothing: it does not count.
  roster.open(subscriber(),
              std::make_shared<recording_sink>(&b_context, lane_b), {"m"}, {},
              false);
  CAF_CHECK(roster.busiest_context() == &a_context);
  for (auto& who : on_a)
    roster.remove(who.address());
  CAF_CHECK(roster.busiest_context() == &b_context);
  roster.remove(b_subscriber.address());
  CAF_CHECK(roster.busiest_context() == nullptr);
}

CAF_TEST_FIXTURE_SCOPE_END()
