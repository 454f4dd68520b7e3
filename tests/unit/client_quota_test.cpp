#define CAF_SUITE client_quota

#include "actors/client_quota.hpp"

#include <caf/test/unit_test.hpp>

#include "messages/messages.hpp"
#include "protocol/client_streams.hpp"
#include "util/json_reader.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

CAF_TEST(a token bucket says how long until the next token) {
  auto t0 = token_bucket::clock::now();
  token_bucket bucket{2.0, 4.0, t0};
  for (int i = 0; i < 4; ++i)
    CAF_CHECK_EQUAL(bucket.take(t0), 0u);
  CAF_CHECK_EQUAL(bucket.take(t0), 1u);
  CAF_CHECK_EQUAL(bucket.take(t0 + 500ms), 0u);
  CAF_CHECK_EQUAL(bucket.take(t0 + 500ms), 1u);
  CAF_CHECK(!bucket.full(t0 + 1s));
  CAF_CHECK(bucket.full(t0 + 3s));
  token_bucket slow{1.0 / 60.0, 1.0, t0};
  CAF_CHECK_EQUAL(slow.take(t0), 0u);
  CAF_CHECK_EQUAL(slow.take(t0 + 15s), 45u);
}

CAF_TEST(sessions are counted per client and forgotten with them) {
  client_limits limits;
  limits.max_sessions = 2;
  client_quota quota{limits};
  CAF_CHECK(quota.may_open_session("a"));
  quota.session_opened("s1", "a");
  quota.session_opened("s2", "a");
  CAF_CHECK(!quota.may_open_session("a"));
  CAF_CHECK(quota.may_open_session("b"));
  CAF_CHECK_EQUAL(quota.client_of("s2"), "a");
  quota.session_closed("s1");
  CAF_CHECK(quota.may_open_session("a"));
  quota.session_closed("s2");
  quota.session_closed("s2");
  // Nothing held, no runs: nothing is remembered of "a" (b asked only).
  CAF_CHECK_LESS_OR_EQUAL(quota.clients(), 1u);
  client_limits none;
  none.max_sessions = 0;
  client_quota open{none};
  for (int i = 0; i < 1000; ++i)
    open.session_opened("s" + std::to_string(i), "a");
  CAF_CHECK(open.may_open_session("a"));
}

CAF_TEST(runs are a bucket per client and the book stays bounded) {
  client_limits limits;
  limits.runs_per_minute = 60;
  client_quota quota{limits};
  auto t0 = client_quota::clock::now();
  for (int i = 0; i < 60; ++i)
    CAF_CHECK_EQUAL(quota.take_run("a", t0), 0u);
  CAF_CHECK_EQUAL(quota.take_run("a", t0), 1u);
  CAF_CHECK_EQUAL(quota.take_run("b", t0), 0u);
  auto top = quota.top(5, t0);
  CAF_REQUIRE_EQUAL(top.size(), 2u);
  CAF_CHECK_EQUAL(top[0].client, "a");
  CAF_CHECK_EQUAL(top[0].recent_runs, 60u);
  CAF_CHECK_EQUAL(top[0].refused, 1u);
  // Ten thousand one-off clients that hold nothing are swept once their
  // buckets refill.
  for (int i = 0; i < 10'000; ++i)
    quota.take_run("c" + std::to_string(i), t0 + 2min + std::chrono::milliseconds{i});
  CAF_CHECK_LESS_OR_EQUAL(quota.clients(), client_quota::sweep_above + 1);
}

CAF_TEST(streams are leased per client) {
  client_streams streams{2};
  auto a1 = streams.open("a");
  auto a2 = streams.open("a");
  CAF_CHECK(a1 && a2);
  CAF_CHECK(!streams.open("a"));
  CAF_CHECK(streams.open("b"));
  a1.reset();
  auto a3 = streams.open("a");
  CAF_CHECK(a3);
  auto now = streams.open_now();
  CAF_REQUIRE_EQUAL(now.size(), 1u);
  CAF_CHECK_EQUAL(now[0].first, "a");
  CAF_CHECK_EQUAL(now[0].second, 2u);
}

CAF_TEST(the clients listing merges streams and sorts the busiest first) {
  client_limits limits;
  client_quota quota{limits};
  quota.session_opened("s1", "127.0.0.11");
  client_streams_view streams{{"127.0.0.12"}, {5}};
  json_document doc{clients_json(quota, streams)};
  json_reader listing{doc};
  auto* clients = listing.array("clients");
  CAF_REQUIRE(clients != nullptr);
  CAF_REQUIRE_EQUAL(clients->Size(), 2u);
  CAF_CHECK_EQUAL(json_reader{(*clients)[0]}.text("client").value_or(""), "127.0.0.12");
  CAF_CHECK_EQUAL(json_reader{(*clients)[0]}.integer("streams").value_or(0), 5);
  CAF_CHECK_EQUAL(json_reader{(*clients)[1]}.integer("sessions").value_or(0), 1);
  CAF_CHECK_EQUAL(listing.object("limits").integer("max_sessions").value_or(0), 100);
}
