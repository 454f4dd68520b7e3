#define CAF_SUITE admin

#include <caf/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "metrics/admin_snapshot.hpp"
#include "metrics/latency_histogram.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/access_policy.hpp"
#include "protocol/routes.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

actor_record record(std::uint64_t id, std::string kind, std::string name,
                    std::string parent = {}, std::uint64_t owner = 0) {
  auto stats = std::make_shared<actor_stats>();
  stats->set_state("running");
  return {id, std::move(kind), std::move(name), std::move(parent), owner, 1000, stats, {}};
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

} // namespace

CAF_TEST(histogram quantiles fall in the bucket that holds them) {
  latency_histogram h;
  for (int i = 0; i < 90; ++i)
    h.observe(200us); // bucket (100 µs, 250 µs]
  for (int i = 0; i < 10; ++i)
    h.observe(40ms); // bucket (25 ms, 50 ms]
  auto snap = h.read();
  CAF_CHECK_EQUAL(snap.count, 100u);
  auto p50 = snap.quantile(0.5);
  CAF_CHECK(p50 > 0.0001 && p50 <= 0.00025);
  auto p99 = snap.quantile(0.99);
  CAF_CHECK(p99 > 0.025 && p99 <= 0.05);
  CAF_CHECK(snap.sum_seconds > 0.41 && snap.sum_seconds < 0.43);
  // A window: what came after an earlier reading.
  auto earlier = snap;
  h.observe(3s);
  auto window = h.read().since(earlier);
  CAF_CHECK_EQUAL(window.count, 1u);
  CAF_CHECK(window.quantile(0.5) > 2.5 && window.quantile(0.5) <= 5);
  CAF_CHECK_EQUAL(latency_histogram::snapshot{}.quantile(0.99), 0.0);
}

CAF_TEST(striped totals add up what every thread counted) {
  // More threads than stripes: some share one, and none is lost.
  constexpr int threads = static_cast<int>(stripe_count) + 3;
  constexpr int each = 10000;
  latency_histogram h;
  counter_totals totals;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        h.observe(t % 2 == 0 ? 200us : 40ms);
        totals.add(counter::events_sent, 2);
      }
      totals.add(counter::gaps, 1);
    });
  for (auto& w : workers)
    w.join();
  auto snap = h.read();
  CAF_CHECK_EQUAL(snap.count, std::uint64_t{threads} * each);
  // Six threads at 200 µs, five at 40 ms: the median is in the first.
  constexpr int fast = (threads + 1) / 2;
  CAF_CHECK(snap.quantile(0.5) > 0.0001 && snap.quantile(0.5) <= 0.00025);
  CAF_CHECK(snap.quantile(0.9) > 0.025 && snap.quantile(0.9) <= 0.05);
  auto expected_sum = (fast * 0.0002 + (threads - fast) * 0.04) * each;
  CAF_CHECK(snap.sum_seconds > expected_sum * 0.999
            && snap.sum_seconds < expected_sum * 1.001);
  CAF_CHECK_EQUAL(totals.read(static_cast<std::size_t>(counter::events_sent)),
                  std::uint64_t{threads} * each * 2);
  CAF_CHECK_EQUAL(totals.read(static_cast<std::size_t>(counter::gaps)),
                  std::uint64_t{threads});
  CAF_CHECK_EQUAL(totals.read(static_cast<std::size_t>(counter::resumes)), 0u);
}

CAF_TEST(the actor tree nests children under their session) {
  admin_snapshot snap;
  snap.now_ms = 5000;
  snap.actors = {record(7, "session", "s-1"), record(8, "llm_call", "planner", "s-1"),
                 record(9, "ws_connection", "websocket"),
                 record(10, "ws_subscription", "run:r1", "s-1", 9),
                 record(3, "session_manager", "sessions")};
  snap.actors[1].stats->tokens = 12;
  auto json = actors_json(snap);
  CAF_CHECK_NOT_EQUAL(json.find(R"("sessions":[{"actor":7,"kind":"session")"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("children":[{"actor":8,"kind":"llm_call")"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("tokens":12)"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("subscriptions":[10])"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("runtime":[{"actor":3)"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("age_ms":4000)"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("count":5)"), std::string::npos);
}

CAF_TEST(prometheus exposition declares each family once with cumulative buckets) {
  admin_snapshot snap;
  snap.now_ms = 2000;
  snap.started_ms = 1000;
  snap.actors = {record(1, "session", "s-1"), record(2, "sse_connection", "run a", "s-1")};
  snap.live = count_live(snap.actors);
  auto sample = sample_totals(2000);
  sample.delivery.counts[0] = 2;
  sample.delivery.counts[3] = 1;
  sample.delivery.count = 3;
  snap.history = {sample};
  auto text = prometheus_text(snap);
  CAF_CHECK_EQUAL(count(text, "# TYPE agenttheo_event_delivery_seconds histogram\n"), 1u);
  CAF_CHECK_EQUAL(count(text, "# TYPE agenttheo_stream_connections gauge\n"), 1u);
  CAF_CHECK_NOT_EQUAL(text.find("agenttheo_sessions_active 1\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("agenttheo_sessions_running 1\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("agenttheo_stream_connections{transport=\"sse\"} 1\n"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(
    text.find("agenttheo_event_delivery_seconds_bucket{le=\"5e-05\"} 2\n"),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(
    text.find("agenttheo_event_delivery_seconds_bucket{le=\"0.0005\"} 3\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("agenttheo_event_delivery_seconds_bucket{le=\"+Inf\"} 3\n"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("agenttheo_event_delivery_seconds_count 3\n"),
                      std::string::npos);
}

CAF_TEST(admin routes and who may use them) {
  auto m = resolve_route("GET", "/api/admin/actors");
  CAF_CHECK(m.target == route::admin_actors && m.method_allowed);
  m = resolve_route("POST", "/api/admin/sessions/s-1/cancel");
  CAF_CHECK(m.target == route::admin_session_cancel && m.param == "s-1");
  m = resolve_route("POST", "/api/admin/sessions/s-1/end");
  CAF_CHECK(m.target == route::admin_session_end);
  m = resolve_route("POST", "/api/admin/connections/42/disconnect");
  CAF_CHECK(m.target == route::admin_disconnect && m.param == "42");
  m = resolve_route("GET", "/api/admin/connections/42/disconnect");
  CAF_CHECK(m.target == route::admin_disconnect && !m.method_allowed);
  CAF_CHECK(resolve_route("GET", "/metrics").target == route::metrics);
  CAF_CHECK(resolve_route("GET", "/admin").target == route::web_asset);
  CAF_CHECK(resolve_route("GET", "/api/admin/nothing").target == route::not_found);
  CAF_CHECK(required_access(route::metrics) == access_level::admin);
  // An operator's decision is the admin's; a person's is the API's.
  CAF_CHECK(required_access(route::admin_session_interrupt) == access_level::admin);
  CAF_CHECK(required_access(route::session_interrupt) == access_level::api);
  CAF_CHECK(required_access(route::session_control) == access_level::api);
  CAF_CHECK(required_access(route::stream) == access_level::api);
  CAF_CHECK(required_access(route::health) == access_level::open);
}

CAF_TEST(tokens are checked from the header or the query) {
  server_config cfg;
  CAF_CHECK(!check_access(access_level::admin, "", "", cfg)); // open on loopback
  cfg.admin_token = "adm";
  cfg.api_token = "api";
  CAF_CHECK(!check_access(access_level::open, "", "", cfg));
  auto denied = check_access(access_level::admin, "", "", cfg);
  CAF_REQUIRE(denied.has_value());
  std::uint16_t status = denied->status;
  CAF_CHECK_EQUAL(status, 401u);
  CAF_CHECK(check_access(access_level::admin, "Bearer api", "", cfg));
  CAF_CHECK(check_access(access_level::admin, "Bearer adm2", "", cfg));
  CAF_CHECK(check_access(access_level::admin, "Basic adm", "", cfg));
  CAF_CHECK(!check_access(access_level::admin, "Bearer adm", "", cfg));
  CAF_CHECK(!check_access(access_level::admin, "bearer adm", "", cfg));
  CAF_CHECK(!check_access(access_level::api, "Bearer api", "", cfg));
  CAF_CHECK(!check_access(access_level::api, "Bearer adm", "", cfg));
  CAF_CHECK(!check_access(access_level::api, "", "command=x&access_token=api", cfg));
  CAF_CHECK(check_access(access_level::api, "", "access_token=nope", cfg));
  // The admin token from a query: on the admin stream only.
  CAF_CHECK(check_access(access_level::admin, "", "access_token=adm", cfg));
  CAF_CHECK(check_access(access_level::api, "", "access_token=adm", cfg));
  CAF_CHECK(!check_access(access_level::admin, "", "access_token=adm", cfg, true));
  CAF_CHECK(!check_access(access_level::api, "Bearer adm", "access_token=x", cfg));
}
