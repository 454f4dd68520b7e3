#define CAF_SUITE session_manager

#include "actors/session_manager.hpp"

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test.hpp>

#include <set>

#include <rapidjson/document.h>

#include "actor_probes.hpp"

using namespace agenttheo;
using namespace agenttheo::testing;

namespace {

struct fixture : test_coordinator_fixture<> {
  caf::actor make_manager(std::size_t max_sessions, client_limits clients = {}) {
    manager_settings s;
    s.max_sessions = max_sessions;
    s.clients = clients;
    s.session.llm.planner_token_delay = std::chrono::milliseconds{0};
    return sys.spawn(session_manager, s);
  }

  std::shared_ptr<subscriber_record> open(const caf::actor& mgr,
                                          stream_request req) {
    auto rec = std::make_shared<subscriber_record>();
    caf::anon_send(mgr, open_stream{sys.spawn(subscriber_probe, rec),
                                    std::move(req), nullptr, nullptr});
    return rec;
  }

  template <class Message>
  api_reply ask(const caf::actor& mgr, Message msg) {
    api_reply answer{0, {}};
    auto pending = self->request(mgr, caf::infinite, std::move(msg));
    consume_messages();
    pending.receive([&](api_reply& r) { answer = std::move(r); },
                    [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return answer;
  }

  rapidjson::Document list(const caf::actor& mgr) {
    auto pending = self->request(mgr, caf::infinite, list_sessions_atom::value);
    consume_messages();
    return listing(pending);
  }

  template <class Pending>
  rapidjson::Document listing(Pending& pending) {
    std::string json;
    pending.receive([&](std::string& x) { json = std::move(x); },
                    [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    CAF_REQUIRE(!doc.HasParseError());
    return doc;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_manager_tests, fixture)

CAF_TEST(a known messageId joins its run in its session) {
  auto mgr = make_manager(10);
  auto first = open(mgr, make_request("hello", "m1"));
  consume_messages();
  auto joined = open(mgr, make_request("hello", "m1"));
  consume_messages();
  CAF_REQUIRE(first->accepted && joined->accepted);
  CAF_CHECK_EQUAL(first->session_id, joined->session_id);
  CAF_CHECK_EQUAL(joined->count(event_type::start), 1u);
  auto doc = list(mgr);
  CAF_REQUIRE_EQUAL(doc["count"].GetUint(), 1u);
  CAF_CHECK_EQUAL(doc["sessions"][0]["runs"].GetUint(), 1u);
}

CAF_TEST(a new run without messageId gets a generated one) {
  auto mgr = make_manager(10);
  auto rec = open(mgr, make_request("hello", ""));
  consume_messages();
  CAF_REQUIRE(rec->accepted);
  CAF_CHECK_EQUAL(rec->message_id.rfind("m-", 0), 0u);
}

CAF_TEST(session continues a conversation and unknown ones are 404) {
  auto mgr = make_manager(10);
  auto first = open(mgr, make_request("hello", "m1"));
  consume_messages();
  auto req = make_request("hi again", "m2");
  req.session_id = first->session_id;
  auto second = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(second->accepted);
  CAF_CHECK_EQUAL(second->session_id, first->session_id);
  CAF_CHECK_EQUAL(list(mgr)["sessions"][0]["runs"].GetUint(), 2u);
  req.session_id = "s-nope";
  req.message_id = "m3";
  auto unknown = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(unknown->rejected);
  CAF_CHECK_EQUAL(unknown->rejected->status, 404);
  // A messageId used in one session cannot be claimed by another.
  auto other = open(mgr, make_request("x", "m9"));
  consume_messages();
  req.session_id = other->session_id;
  req.message_id = "m1";
  auto conflict = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(conflict->rejected);
  CAF_CHECK_EQUAL(conflict->rejected->status, 409);
}

CAF_TEST(joining an unknown run without a command is a 400) {
  auto mgr = make_manager(10);
  auto rec = open(mgr, make_request("", "never-started"));
  consume_messages();
  CAF_REQUIRE(rec->rejected);
  CAF_CHECK_EQUAL(rec->rejected->status, 400);
  CAF_CHECK_EQUAL(rec->rejected->code, "missing_command");
}

CAF_TEST(sessions beyond the maximum are refused with 503) {
  auto mgr = make_manager(2);
  auto a = open(mgr, make_request("a", "m1"));
  auto b = open(mgr, make_request("b", "m2"));
  auto c = open(mgr, make_request("c", "m3"));
  consume_messages();
  CAF_CHECK(a->accepted && b->accepted);
  CAF_REQUIRE(c->rejected);
  CAF_CHECK_EQUAL(c->rejected->status, 503);
  CAF_CHECK_EQUAL(c->rejected->code, "too_many_sessions");
}

CAF_TEST(a listing waits for sessions that have not reported yet) {
  manager_settings s;
  s.max_sessions = 10;
  for (auto id : {"s-kept-1", "s-kept-2"}) {
    auto saved = std::make_shared<restored_session>();
    saved->session.id = id;
    saved->session.title = std::string{"kept "} + id;
    s.restored.push_back(std::move(saved));
  }
  auto mgr = sys.spawn(session_manager, s);
  // The manager restores both sessions, then hears the listing before
  // either session has run (as on a second I/O thread at startup).
  sched.run_once();
  auto pending = self->request(mgr, caf::infinite, list_sessions_atom::value);
  sched.prioritize(mgr);
  sched.run_once();
  consume_messages();
  auto doc = listing(pending);
  CAF_REQUIRE_EQUAL(doc["count"].GetUint(), 2u);
  std::set<std::string> titles;
  for (const auto& session : doc["sessions"].GetArray())
    titles.insert(session["title"].GetString());
  CAF_CHECK_EQUAL(titles, (std::set<std::string>{"kept s-kept-1", "kept s-kept-2"}));
}

CAF_TEST(shutdown waits for every session and refuses new streams) {
  auto mgr = make_manager(10);
  open(mgr, make_request("a", "m1"));
  open(mgr, make_request("b", "m2"));
  consume_messages();
  CAF_CHECK_EQUAL(list(mgr)["count"].GetUint(), 2u);
  auto pending = self->request(mgr, caf::infinite, shutdown_atom::value);
  consume_messages();
  bool replied = false;
  pending.receive([&] { replied = true; },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK(replied);
  CAF_CHECK_EQUAL(list(mgr)["count"].GetUint(), 0u);
  auto late = open(mgr, make_request("c", "m3"));
  consume_messages();
  CAF_REQUIRE(late->rejected);
  CAF_CHECK_EQUAL(late->rejected->status, 503);
}

CAF_TEST(api requests reach the session that answers them) {
  auto mgr = make_manager(1);
  auto created = ask(mgr, new_session_request{});
  CAF_REQUIRE_EQUAL(created.status, 201u);
  rapidjson::Document doc;
  doc.Parse(created.json.c_str());
  std::string id = doc["id"].GetString();
  // The server's one session slot is taken.
  auto refused = ask(mgr, new_session_request{});
  CAF_CHECK_EQUAL(refused.status, 503u);
  auto req = make_request("hello", "m1");
  req.session_id = id;
  auto rec = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(rec->accepted);
  CAF_CHECK_EQUAL(rec->session_id, id);
  auto described = ask(mgr, describe_session{id});
  CAF_CHECK_EQUAL(described.status, 200u);
  auto events = ask(mgr, read_run_events{"m1", 0});
  CAF_CHECK_EQUAL(events.status, 200u);
  CAF_CHECK_EQUAL(ask(mgr, describe_session{"s-none"}).status, 404u);
  CAF_CHECK_EQUAL(ask(mgr, read_run_events{"m-none", 0}).status, 404u);
  auto deleted = ask(mgr, cancel_session{id, true, {}});
  CAF_CHECK_EQUAL(deleted.status, 200u);
  consume_messages();
  // Its runs are forgotten with it, and its slot is free again.
  CAF_CHECK_EQUAL(ask(mgr, read_run_events{"m1", 0}).status, 404u);
  CAF_CHECK_EQUAL(ask(mgr, new_session_request{}).status, 201u);
}

CAF_TEST(one client cannot hold every session) {
  client_limits limits;
  limits.max_sessions = 2;
  auto mgr = make_manager(10, limits);
  auto as = [](const char* client) { return new_session_request{{}, client, {}, {}}; };
  CAF_CHECK_EQUAL(ask(mgr, as("127.0.0.7")).status, 201u);
  CAF_CHECK_EQUAL(ask(mgr, as("127.0.0.7")).status, 201u);
  auto refused = ask(mgr, as("127.0.0.7"));
  CAF_CHECK_EQUAL(refused.status, 429u);
  CAF_CHECK_NOT_EQUAL(refused.json.find("rate_limited"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(refused.json.find("CLIENT_MAX_SESSIONS"), std::string::npos);
  // The two sessions are idle and unwatched: a slot frees when the first
  // expires, SESSION_IDLE_TIMEOUT (15 minutes) from now.
  CAF_CHECK_GREATER(refused.retry_after_s, 890u);
  CAF_CHECK_LESS_OR_EQUAL(refused.retry_after_s, 900u);
  // Someone else is unaffected; a stream's new session counts too.
  CAF_CHECK_EQUAL(ask(mgr, as("127.0.0.8")).status, 201u);
  auto req = make_request("hello", "m1");
  req.client = "127.0.0.7";
  auto rec = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(rec->rejected);
  CAF_CHECK_EQUAL(rec->rejected->status, 429);
}

CAF_TEST(one client cannot start runs faster than its rate) {
  client_limits limits;
  limits.runs_per_minute = 3;
  auto mgr = make_manager(10, limits);
  for (int i = 0; i < 3; ++i) {
    auto req = make_request("hello", "r" + std::to_string(i));
    req.client = "API token";
    auto rec = open(mgr, req);
    consume_messages();
    CAF_CHECK(rec->accepted);
  }
  auto req = make_request("hello", "r3");
  req.client = "API token";
  auto rec = open(mgr, req);
  consume_messages();
  CAF_REQUIRE(rec->rejected);
  CAF_CHECK_EQUAL(rec->rejected->code, "rate_limited");
  // Three a minute: the next one is 20 s away.
  CAF_CHECK_GREATER_OR_EQUAL(rec->rejected->retry_after_s, 19u);
  CAF_CHECK_LESS_OR_EQUAL(rec->rejected->retry_after_s, 20u);
  // Joining a run already started is not a new run.
  auto join = open(mgr, make_request("", "r0"));
  consume_messages();
  CAF_CHECK(join->accepted);
  auto other = make_request("hello", "r4");
  other.client = "127.0.0.1";
  auto ok = open(mgr, other);
  consume_messages();
  CAF_CHECK(ok->accepted);
}

CAF_TEST_FIXTURE_SCOPE_END()
