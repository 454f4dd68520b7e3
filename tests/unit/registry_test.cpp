#define CAF_SUITE registry

#include "actors/registry.hpp"

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test.hpp>

#include <string>
#include <utility>

#include <rapidjson/document.h>

#include "messages/registry_messages.hpp"
#include "metrics/runtime_metrics.hpp"
#include "util/clock.hpp"

using namespace agenttheo;

namespace {

struct fixture : test_coordinator_fixture<> {
  /// The registry's stats, as the admin API serves them.
  rapidjson::Document stats(const caf::actor& reg) {
    std::string json;
    sys.spawn([&](caf::event_based_actor* self) {
      self->request(reg, caf::infinite, admin_stats_atom::value)
        .then([&](std::string& x) { json = std::move(x); });
    });
    consume_messages();
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    return doc;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(registry_tests, fixture)

CAF_TEST(events sent before the registry first runs show in its rates) {
  // The node started a second ago (a rate needs time between samples).
  auto reg = sys.spawn(registry, sample_totals(unix_millis() - 1000));
  // Streams that ran, and ended, while the registry waited for a thread.
  count(counter::events_sent, 9);
  consume_messages();
  // Its first second is sampled: the stats have a second of history.
  sched.trigger_timeouts();
  auto doc = stats(reg);
  CAF_REQUIRE(doc.IsObject() && doc.HasMember("history"));
  double sent = 0;
  for (auto& second : doc["history"].GetArray())
    sent += second["events_per_s"].GetDouble();
  CAF_CHECK_GREATER(sent, 0.0);
  // Its tick re-arms for ever: the fixture would wait for the next one.
  caf::anon_send_exit(reg, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
