#define CAF_SUITE session

#include "actors/gateway_relay.hpp"
#include "actors/session.hpp"

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "actor_probes.hpp"
#include "messages/steer_request.hpp"
#include "protocol/event_sink.hpp"
#include "store/conversation_json.hpp"
#include "store/store_inbox.hpp"

using namespace agenttheo;
using namespace agenttheo::testing;

namespace {

rapidjson::Document data_of(const event_ptr& ev) {
  rapidjson::Document doc;
  doc.Parse(ev->raw.data.c_str());
  return doc;
}

/// A socket's side that takes each job the moment it is posted: what an
/// I/O thread does with a round while the session's handler goes on.
struct immediate_sink : event_sink, sink_lane {
  /// What the client does on reading each event (a listing, say).
  std::function<void(const event&)> on_event;
  bool saw_terminal = false;
  /// Each event taken, with the delivery it came in (1 for the first).
  std::vector<std::pair<event_type, std::size_t>> taken;
  std::size_t deliveries = 0;

  const void* io_context() const override {
    return this;
  }
  std::shared_ptr<sink_lane> make_lane() override {
    return std::shared_ptr<sink_lane>{std::shared_ptr<void>{}, this};
  }
  void post(std::function<void()> job) override {
    job();
  }
  void open(std::shared_ptr<sink_lane>, subscription_filter, event_list replay,
            bool) override {
    take(replay);
  }
  void deliver_round(round_ptr round) override {
    take(round->events);
  }
  void deliver_notice(event_list events) override {
    take(events);
  }
  void take(const event_list& events) {
    take(*events);
  }
  void take(const std::vector<event_ptr>& events) {
    ++deliveries;
    for (auto& ev : events) {
      taken.emplace_back(ev->raw.type, deliveries);
      saw_terminal = saw_terminal || ev->raw.terminal;
      if (on_event)
        on_event(ev->raw);
    }
  }
};

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<manager_record> mgr = std::make_shared<manager_record>();
  caf::actor manager = sys.spawn(manager_probe, mgr);

  session_settings settings() {
    session_settings s;
    s.llm.planner_token_delay = std::chrono::milliseconds{0};
    // Deliver every event at once: the pacer has its own tests below.
    s.fanout_rate = 0;
    s.idle_timeout = std::chrono::minutes{10};
    return s;
  }

  caf::actor make_session(session_settings s) {
    return sys.spawn(session, std::string{"s-test"}, s, manager,
                     session_origin{});
  }

  std::shared_ptr<subscriber_record> subscribe(const caf::actor& sess,
                                               stream_request req,
                                               caf::actor* probe_out = nullptr,
                                               caf::actor via = nullptr) {
    auto rec = std::make_shared<subscriber_record>();
    auto probe = sys.spawn(subscriber_probe, rec);
    if (probe_out)
      *probe_out = probe;
    caf::anon_send(sess, open_stream{probe, std::move(req), std::move(via), nullptr});
    return rec;
  }

  /// Asks the session an API question and returns its answer.
  template <class Message>
  api_reply ask(const caf::actor& sess, Message msg) {
    caf::scoped_actor self{sys};
    api_reply answer{0, {}};
    auto pending = self->request(sess, caf::infinite, std::move(msg));
    consume_messages();
    pending.receive([&](api_reply& r) { answer = std::move(r); },
                    [&](caf::error&) { answer.status = 1; });
    return answer;
  }

  /// Answers the question interrupt `id` of `sess` as a client would.
  api_reply answer(const caf::actor& sess, const std::string& id,
                   const std::string& text) {
    return ask(
      sess, steer_session{"s-test", steer_action::resolve, id,
                          R"({"decision":"answer","answer":")" + text + "\"}",
                          "c1", "api"});
  }

  rapidjson::Document json_of(const api_reply& r) {
    rapidjson::Document doc;
    doc.Parse(r.json.c_str());
    return doc;
  }

  static stream_request with(stream_request req, multitask strategy) {
    req.strategy = strategy;
    return req;
  }

  const session_info& last_info() {
    CAF_REQUIRE(!mgr->infos.empty());
    return mgr->infos.back();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_tests, fixture)

CAF_TEST(a run streams start to complete with contiguous ids) {
  auto sess = make_session(settings());
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  CAF_REQUIRE(rec->accepted);
  CAF_CHECK_EQUAL(rec->session_id, "s-test");
  CAF_REQUIRE_GREATER(rec->events.size(), 5u);
  CAF_CHECK(rec->events.front()->raw.type == event_type::start);
  CAF_CHECK(rec->events.back()->raw.type == event_type::complete);
  CAF_CHECK(rec->events.back()->raw.terminal);
  std::string streamed;
  std::uint64_t expected_count = 0;
  for (std::size_t i = 0; i < rec->events.size(); ++i) {
    auto& ev = rec->events[i];
    CAF_CHECK_EQUAL(ev->raw.id, i + 1);
    CAF_CHECK_EQUAL(ev->raw.message_id, "m1");
    if (ev->raw.type == event_type::token) {
      auto doc = data_of(ev);
      streamed += doc["token"].GetString();
      CAF_CHECK_EQUAL(doc["metadata"]["count"].GetUint64(), ++expected_count);
    }
  }
  CAF_CHECK_EQUAL(rec->count(event_type::message), 1u);
  auto done = data_of(rec->events.back());
  CAF_CHECK_EQUAL(done["result"].GetString(), streamed);
  CAF_CHECK_EQUAL(done["summary"]["tokens_streamed"].GetUint64(),
                  expected_count);
  CAF_CHECK_EQUAL(done["cancelled"].GetBool(), false);
  CAF_CHECK_EQUAL(last_info().state, "idle");
  CAF_CHECK_EQUAL(last_info().subscribers, 0u);
}

/// A session whose manager answers a listing (an int) with what the
/// session last reported to it, and whose client lists sessions the
/// moment it reads an event `lists_on` picks: the socket writes each
/// event as it is handed over, as an I/O thread may while the session's
/// handler goes on. What the listing showed then is in `listed`.
struct listing_client {
  struct manager_view {
    session_info reported;
    std::vector<session_info> listed;
  };
  // Shared with the manager, which may outlive the test's scope.
  std::shared_ptr<manager_view> view = std::make_shared<manager_view>();
  const std::vector<session_info>& listed = view->listed;
  caf::actor lister;
  caf::actor sess;
  std::shared_ptr<immediate_sink> sink = std::make_shared<immediate_sink>();

  listing_client(caf::actor_system& sys, session_settings settings,
                 std::string command,
                 std::function<bool(const event&)> lists_on) {
    lister = sys.spawn([view = view](caf::event_based_actor*) -> caf::behavior {
      return {
        [view](session_info& x) { view->reported = x; },
        [](run_forgotten&) {},
        [view](int) { view->listed.push_back(view->reported); },
      };
    });
    sess = sys.spawn(session, std::string{"s-test"}, settings, lister,
                     session_origin{});
    sink->on_event = [lister = lister, lists_on](const event& ev) {
      if (lists_on(ev))
        caf::anon_send(lister, 1);
    };
    open(sys, make_request(std::move(command), "m1"));
  }

  /// Opens another stream of the session through the same socket.
  void open(caf::actor_system& sys, stream_request req) {
    auto probe
      = sys.spawn(subscriber_probe, std::make_shared<subscriber_record>());
    caf::anon_send(sess, open_stream{probe, std::move(req), nullptr, sink});
  }

  /// The id of the one interrupt `info` shows pending.
  static std::string interrupt_id_in(const session_info& info) {
    rapidjson::Document pending;
    pending.Parse(info.interrupts_json.c_str());
    CAF_REQUIRE(pending.IsArray() && pending.Size() == 1);
    return pending[0]["interrupt_id"].GetString();
  }

  /// The id of the one interrupt the first listing showed.
  std::string pending_id() const {
    CAF_REQUIRE_EQUAL(listed.size(), 1u);
    return interrupt_id_in(listed[0]);
  }
};

bool is_running_status(const event& ev) {
  return ev.type == event_type::status
         && ev.data.find(R"("state":"running")") != std::string::npos;
}

bool is_terminal(const event& ev) {
  return ev.terminal;
}

bool is_interrupt_news(const event& ev) {
  return ev.type == event_type::interrupt
         || ev.type == event_type::interrupt_resolved;
}

CAF_TEST(the manager hears a run ended before its last event goes out) {
  listing_client client{sys, settings(), "hello", is_terminal};
  consume_messages();
  CAF_REQUIRE_EQUAL(client.listed.size(), 1u);
  CAF_CHECK_EQUAL(client.listed[0].state, "idle");
}

CAF_TEST(the manager hears a run started before its status says so) {
  listing_client client{sys, settings(), "ask me the colour",
                        is_running_status};
  consume_messages();
  CAF_REQUIRE_EQUAL(client.listed.size(), 1u);
  CAF_CHECK_EQUAL(client.listed[0].state, "running");
  CAF_CHECK_EQUAL(client.listed[0].current_message_id, "m1");
  CAF_CHECK_EQUAL(client.listed[0].subscribers, 1u);
  // A run queued behind it starts when it ends: its client lists then too.
  client.open(sys, with(make_request("hello", "m2"), multitask::enqueue));
  consume_messages();
  auto id = listing_client::interrupt_id_in(client.view->reported);
  CAF_CHECK_EQUAL(answer(client.sess, id, "red").status, 200);
  consume_messages();
  // The first run goes on after the answer (`running` again), ends, and
  // the queued one starts: the last listing is at its `running`.
  CAF_REQUIRE_GREATER(client.listed.size(), 2u);
  CAF_CHECK_EQUAL(client.listed.back().state, "running");
  CAF_CHECK_EQUAL(client.listed.back().current_message_id, "m2");
}

CAF_TEST(the manager hears of an interrupt before its events go out) {
  listing_client client{sys, settings(), "ask me the colour",
                        is_interrupt_news};
  consume_messages();
  auto id = client.pending_id();
  CAF_CHECK_EQUAL(answer(client.sess, id, "red").status, 200);
  consume_messages();
  CAF_REQUIRE_EQUAL(client.listed.size(), 2u);
  CAF_CHECK_EQUAL(client.listed[1].interrupts_json, "[]");
  CAF_CHECK(client.sink->saw_terminal);
}

CAF_TEST(the manager hears a cancel closed an interrupt before its event) {
  listing_client client{sys, settings(), "ask me the colour",
                        is_interrupt_news};
  consume_messages();
  client.pending_id();
  caf::anon_send(client.sess, cancel_run{"m1", "user asked"});
  consume_messages();
  CAF_REQUIRE_EQUAL(client.listed.size(), 2u);
  CAF_CHECK_EQUAL(client.listed[1].interrupts_json, "[]");
  CAF_CHECK(client.sink->saw_terminal);
}

CAF_TEST(the manager hears who holds the browser before the control event) {
  auto s = settings();
  // A browser that never answers: the page asks it for a context and
  // waits, which is all taking control needs here.
  s.browser = sys.spawn(
    [](caf::event_based_actor* self) { self->set_default_handler(caf::drop); });
  listing_client client{sys, s, "ask me the colour", [](const event& ev) {
                          return ev.type == event_type::control;
                        }};
  consume_messages();
  steer_session take{
    "s-test", steer_action::control, {}, R"({"holder":"user"})", "c1", "api"};
  CAF_CHECK_EQUAL(ask(client.sess, take).status, 200);
  steer_session give{
    "s-test", steer_action::control, {}, R"({"holder":"agent"})", "c1", "api"};
  CAF_CHECK_EQUAL(ask(client.sess, give).status, 200);
  CAF_REQUIRE_EQUAL(client.listed.size(), 2u);
  CAF_CHECK_EQUAL(client.listed[0].control, "user");
  CAF_CHECK_EQUAL(client.listed[1].control, "agent");
}

CAF_TEST(subscribers behind a relay get every live event once through it) {
  auto sess = make_session(settings());
  auto relay = sys.spawn(gateway_relay, std::string{"s-test"});
  auto direct = subscribe(sess, make_request("hello", "m1"));
  caf::actor relayed_probe;
  caf::actor filtered_probe;
  auto relayed = subscribe(sess, make_request("hello", "m1"), &relayed_probe,
                           relay);
  auto updates_only = make_request("hello", "m1");
  updates_only.modes = *parse_mode_mask("updates");
  auto filtered = subscribe(sess, updates_only, &filtered_probe, relay);
  consume_messages();
  CAF_REQUIRE_GREATER(direct->events.size(), 5u);
  CAF_CHECK(direct->events.back()->raw.type == event_type::complete);
  // The same events, the same encoded objects, in the same order.
  CAF_REQUIRE_EQUAL(relayed->events.size(), direct->events.size());
  for (std::size_t i = 0; i < direct->events.size(); ++i)
    CAF_CHECK_EQUAL(relayed->events[i].get(), direct->events[i].get());
  // The relay applies each subscriber's modes: no tokens here, but the
  // lifecycle events.
  CAF_CHECK_EQUAL(filtered->count(event_type::token), 0u);
  CAF_CHECK_EQUAL(filtered->count(event_type::start), 1u);
  CAF_CHECK_EQUAL(filtered->count(event_type::complete), 1u);
  // Both relayed subscribers were fed through the relay: two members, and
  // the rounds after them.
  auto& relay_state = deref<caf::stateful_actor<session_relay_state>>(relay).state;
  CAF_CHECK_GREATER(relay_state.stats->messages.load(), 3u);
  // Subscribers that end leave the relay.
  CAF_CHECK_EQUAL(relay_state.members.size(), 2u);
  for (const auto& probe : {relayed_probe, filtered_probe})
    caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  consume_messages();
  CAF_CHECK_EQUAL(relay_state.members.size(), 0u);
}

CAF_TEST(joining a run never runs the command twice) {
  auto sess = make_session(settings());
  auto first = subscribe(sess, make_request("hello", "m1"));
  auto second = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto late = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  CAF_CHECK_EQUAL(last_info().runs, 1u);
  for (auto* rec : {second.get(), late.get()}) {
    CAF_REQUIRE(rec->accepted);
    CAF_CHECK_EQUAL(rec->count(event_type::start), 1u);
    CAF_REQUIRE_EQUAL(rec->events.size(), first->events.size());
    for (std::size_t i = 0; i < rec->events.size(); ++i)
      CAF_CHECK_EQUAL(rec->events[i]->raw.id, first->events[i]->raw.id);
  }
  // Subscribers share the very same encoded event, never a copy.
  auto token = first->first(event_type::token);
  CAF_REQUIRE(token != nullptr);
  CAF_CHECK_EQUAL(token.get(), second->first(event_type::token).get());
  CAF_CHECK(late->final_batch);
}

CAF_TEST(stream modes filter all but lifecycle events) {
  auto sess = make_session(settings());
  auto all = subscribe(sess, make_request("hello", "m1"));
  auto messages = subscribe(
    sess, make_request("", "m1", static_cast<mode_mask>(stream_mode::messages)));
  auto updates = subscribe(
    sess, make_request("", "m1", static_cast<mode_mask>(stream_mode::updates)));
  auto custom = subscribe(
    sess, make_request("", "m1", static_cast<mode_mask>(stream_mode::custom)));
  consume_messages();
  CAF_CHECK_GREATER(messages->count(event_type::token), 10u);
  CAF_CHECK_EQUAL(messages->count(event_type::message), 1u);
  CAF_CHECK_EQUAL(messages->count(event_type::progress), 0u);
  CAF_CHECK_EQUAL(messages->count(event_type::update), 0u);
  CAF_CHECK_EQUAL(updates->count(event_type::token), 0u);
  CAF_CHECK_EQUAL(updates->count(event_type::progress), 1u);
  CAF_CHECK_EQUAL(updates->count(event_type::update), 1u);
  for (auto* rec : {messages.get(), updates.get(), custom.get()}) {
    CAF_CHECK_EQUAL(rec->count(event_type::start), 1u);
    CAF_CHECK_EQUAL(rec->count(event_type::status), 1u);
    CAF_CHECK_EQUAL(rec->count(event_type::complete), 1u);
  }
  CAF_CHECK_EQUAL(custom->events.size(), 3u);
  CAF_CHECK_EQUAL(all->events.size(),
                  messages->events.size() + updates->events.size() - 3);
}

CAF_TEST(resuming replays exactly the events after the id) {
  auto sess = make_session(settings());
  auto first = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto last_id = first->events.back()->raw.id;
  // Resume after the first token, wherever the planner's wording puts it.
  auto token = first->first(event_type::token);
  CAF_REQUIRE(token != nullptr);
  auto after = token->raw.id;
  auto req = make_request("", "m1");
  req.has_last_event_id = true;
  req.last_event_id = after;
  auto resumed = subscribe(sess, req);
  consume_messages();
  CAF_REQUIRE_EQUAL(resumed->events.size(), last_id - after);
  CAF_CHECK_EQUAL(resumed->events.front()->raw.id, after + 1);
  CAF_CHECK(resumed->final_batch);
  req.last_event_id = last_id;
  auto done = subscribe(sess, req);
  consume_messages();
  CAF_REQUIRE(done->rejected);
  CAF_CHECK_EQUAL(done->rejected->status, 204);
  CAF_CHECK(!done->accepted);
}

CAF_TEST(a stale event id does not hide the start of a new run) {
  auto sess = make_session(settings());
  auto req = make_request("hello", "m-new");
  req.has_last_event_id = true;
  req.last_event_id = 57;
  auto rec = subscribe(sess, req);
  consume_messages();
  CAF_REQUIRE(rec->accepted);
  CAF_REQUIRE(!rec->events.empty());
  CAF_CHECK_EQUAL(rec->events.front()->raw.id, 1u);
  CAF_CHECK(rec->events.front()->raw.type == event_type::start);
  CAF_CHECK(rec->events.back()->raw.type == event_type::complete);
}

CAF_TEST(a trimmed log answers with a gap naming what was lost) {
  auto s = settings();
  s.log_max_events = 10;
  auto sess = make_session(s);
  auto first = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto last_id = first->events.back()->raw.id;
  CAF_REQUIRE_GREATER(last_id, 20u);
  auto late = subscribe(sess, make_request("", "m1"));
  consume_messages();
  CAF_REQUIRE_EQUAL(late->events.size(), 11u);
  auto& gap = late->events.front();
  CAF_CHECK(gap->raw.type == event_type::gap);
  auto lost = data_of(gap);
  CAF_CHECK_EQUAL(lost["from"].GetUint64(), 1u);
  CAF_CHECK_EQUAL(lost["to"].GetUint64(), last_id - 10);
  CAF_CHECK_EQUAL(gap->raw.id, last_id - 10);
  CAF_CHECK_EQUAL(late->events[1]->raw.id, last_id - 9);
  CAF_CHECK(late->events.back()->raw.type == event_type::complete);
  // Resuming inside the retained window needs no gap.
  auto req = make_request("", "m1");
  req.has_last_event_id = true;
  req.last_event_id = last_id - 3;
  auto inside = subscribe(sess, req);
  consume_messages();
  CAF_REQUIRE_EQUAL(inside->events.size(), 3u);
  CAF_CHECK(inside->events.front()->raw.type != event_type::gap);
}

CAF_TEST(a subscriber that dies is dropped and the run goes on) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  caf::actor dying;
  auto doomed = subscribe(sess, make_request("hello", "m1"), &dying);
  auto survivor = subscribe(sess, make_request("", "m1"));
  consume_messages();
  CAF_CHECK_EQUAL(last_info().subscribers, 2u);
  CAF_CHECK_EQUAL(last_info().state, "running");
  caf::anon_send_exit(dying, caf::exit_reason::kill);
  consume_messages();
  CAF_CHECK_EQUAL(last_info().subscribers, 1u);
  auto seen_by_doomed = doomed->events.size();
  // Let the planner's paced tokens run out.
  for (int i = 0; i < 500 && !survivor->final_batch
                  && (survivor->events.empty()
                      || !survivor->events.back()->raw.terminal);
       ++i) {
    advance_time(std::chrono::milliseconds{10});
    consume_messages();
  }
  CAF_REQUIRE(!survivor->events.empty());
  CAF_CHECK(survivor->events.back()->raw.type == event_type::complete);
  CAF_CHECK_EQUAL(doomed->events.size(), seen_by_doomed);
  CAF_CHECK_EQUAL(last_info().subscribers, 0u);
}

CAF_TEST(cancelling stops the model and completes as cancelled) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  advance_time(std::chrono::milliseconds{30});
  consume_messages();
  caf::anon_send(sess, cancel_run{"m1", "user asked"});
  consume_messages();
  CAF_REQUIRE(!rec->events.empty());
  auto& last = rec->events.back();
  CAF_REQUIRE(last->raw.type == event_type::complete);
  CAF_CHECK_EQUAL(data_of(last)["cancelled"].GetBool(), true);
  auto& before = rec->events[rec->events.size() - 2];
  CAF_CHECK(before->raw.type == event_type::status);
  auto status = data_of(before);
  CAF_CHECK_EQUAL(status["state"].GetString(), std::string{"cancelled"});
  // No token arrives after the cancel, however long we wait.
  auto count = rec->events.size();
  advance_time(std::chrono::seconds{5});
  consume_messages();
  CAF_CHECK_EQUAL(rec->events.size(), count);
}

CAF_TEST(a new command while a run is going is rejected as busy) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  subscribe(sess, make_request("hello", "m1"));
  auto second = subscribe(sess, make_request("other", "m2"));
  consume_messages();
  CAF_REQUIRE(second->rejected);
  CAF_CHECK_EQUAL(second->rejected->status, 409);
  CAF_CHECK_EQUAL(second->rejected->code, "session_busy");
  CAF_REQUIRE_EQUAL(mgr->forgotten.size(), 1u);
  CAF_CHECK_EQUAL(mgr->forgotten.front(), "m2");
}

CAF_TEST(an idle session ends after its timeout and not before) {
  auto sess = make_session(settings());
  auto gone = std::make_shared<bool>(false);
  auto watcher = sys.spawn(exit_watcher, sess, gone);
  subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  advance_time(std::chrono::minutes{9});
  consume_messages();
  CAF_CHECK(!*gone);
  advance_time(std::chrono::minutes{2});
  consume_messages();
  CAF_CHECK(*gone);
}

CAF_TEST(shutdown ends a running run with a final error) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  caf::anon_send(sess, shutdown_atom::value);
  consume_messages();
  CAF_REQUIRE(!rec->events.empty());
  auto& last = rec->events.back();
  CAF_CHECK(last->raw.type == event_type::error);
  CAF_CHECK(last->raw.terminal);
  auto error = data_of(last);
  CAF_CHECK_EQUAL(error["code"].GetString(), std::string{"server_shutdown"});
}

CAF_TEST(a session keeps its conversation across runs) {
  auto sess = make_session(settings());
  auto first = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto second = subscribe(sess, make_request("what can you do", "m2"));
  consume_messages();
  CAF_REQUIRE(second->accepted);
  CAF_CHECK(second->events.back()->raw.type == event_type::complete);
  auto reply = ask(sess, describe_session{"s-test"});
  CAF_REQUIRE_EQUAL(reply.status, 200u);
  auto doc = json_of(reply);
  CAF_REQUIRE(doc.IsObject());
  auto& conversation = doc["conversation"];
  CAF_REQUIRE_EQUAL(conversation.Size(), 4u);
  CAF_CHECK_EQUAL(conversation[0]["role"].GetString(), std::string{"user"});
  CAF_CHECK_EQUAL(conversation[0]["content"].GetString(), std::string{"hello"});
  CAF_CHECK_EQUAL(conversation[1]["role"].GetString(), std::string{"assistant"});
  CAF_CHECK_EQUAL(conversation[2]["content"].GetString(),
                  std::string{"what can you do"});
  CAF_REQUIRE_EQUAL(doc["runs"].Size(), 2u);
  CAF_CHECK_EQUAL(doc["runs"][1]["outcome"].GetString(), std::string{"complete"});
  CAF_CHECK_EQUAL(doc["runs"][1]["steps"].GetUint64(), 1u);
}

CAF_TEST(an enqueued run starts when the running one completes) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  auto first = subscribe(sess, make_request("hello", "m1"));
  auto second = subscribe(sess, with(make_request("again", "m2"),
                                     multitask::enqueue));
  consume_messages();
  CAF_REQUIRE(second->accepted);
  CAF_REQUIRE_GREATER_OR_EQUAL(second->events.size(), 2u);
  CAF_CHECK(second->events.front()->raw.type == event_type::start);
  auto status = second->first(event_type::status);
  CAF_REQUIRE(status != nullptr);
  CAF_CHECK_EQUAL(std::string{data_of(status)["state"].GetString()}, "queued");
  CAF_CHECK_EQUAL(last_info().queued, 1u);
  for (int i = 0; i < 1000 && (second->events.empty()
                               || !second->events.back()->raw.terminal);
       ++i) {
    advance_time(std::chrono::milliseconds{10});
    consume_messages();
  }
  CAF_REQUIRE(first->events.back()->raw.type == event_type::complete);
  CAF_REQUIRE(second->events.back()->raw.type == event_type::complete);
  CAF_CHECK_EQUAL(data_of(first->events.back())["cancelled"].GetBool(), false);
  CAF_CHECK_EQUAL(data_of(second->events.back())["cancelled"].GetBool(), false);
  // The second run's work began after the first run's end.
  auto first_end = first->events.back()->raw.id;
  auto running = std::find_if(second->events.begin(), second->events.end(),
                              [&](auto& ev) {
                                return ev->raw.type == event_type::status
                                       && data_of(ev)["state"].GetString()
                                            == std::string{"running"};
                              });
  CAF_REQUIRE(running != second->events.end());
  CAF_CHECK_GREATER((*running)->raw.id, first_end);
  CAF_CHECK_EQUAL(last_info().queued, 0u);
}

CAF_TEST(an interrupting run cancels the running one and starts) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  auto first = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto second = subscribe(sess, with(make_request("again", "m2"),
                                     multitask::interrupt));
  consume_messages();
  CAF_REQUIRE(first->events.back()->raw.type == event_type::complete);
  auto done = data_of(first->events.back());
  CAF_CHECK_EQUAL(done["cancelled"].GetBool(), true);
  CAF_CHECK_EQUAL(done["stop_reason"].GetString(), std::string{"cancelled"});
  CAF_REQUIRE(second->accepted);
  for (int i = 0; i < 1000 && !second->events.back()->raw.terminal; ++i) {
    advance_time(std::chrono::milliseconds{10});
    consume_messages();
  }
  CAF_CHECK(second->events.back()->raw.type == event_type::complete);
  CAF_CHECK_EQUAL(data_of(second->events.back())["cancelled"].GetBool(), false);
}

CAF_TEST(a full queue refuses more runs with 429) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  s.max_queued_runs = 1;
  auto sess = make_session(s);
  subscribe(sess, make_request("hello", "m1"));
  auto queued = subscribe(sess, with(make_request("a", "m2"), multitask::enqueue));
  auto refused = subscribe(sess, with(make_request("b", "m3"), multitask::enqueue));
  consume_messages();
  CAF_CHECK(queued->accepted);
  CAF_REQUIRE(refused->rejected);
  CAF_CHECK_EQUAL(refused->rejected->status, 429u);
  CAF_CHECK_EQUAL(refused->rejected->code, "queue_full");
}

CAF_TEST(the cancel API stops the running run and says which) {
  auto s = settings();
  s.llm.planner_token_delay = std::chrono::milliseconds{10};
  auto sess = make_session(s);
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto reply = ask(sess, cancel_session{"s-test", false, {}});
  CAF_REQUIRE_EQUAL(reply.status, 200u);
  CAF_CHECK_EQUAL(json_of(reply)["cancelled"].GetString(), std::string{"m1"});
  CAF_CHECK(rec->events.back()->raw.type == event_type::complete);
  auto again = ask(sess, cancel_session{"s-test", false, {}});
  CAF_CHECK(json_of(again)["cancelled"].IsNull());
}

CAF_TEST(a session stream follows every run until the session is deleted) {
  auto sess = make_session(settings());
  auto gone = std::make_shared<bool>(false);
  auto watcher = sys.spawn(exit_watcher, sess, gone);
  stream_request follow;
  follow.whole_session = true;
  follow.session_id = "s-test";
  auto watching = subscribe(sess, follow);
  consume_messages();
  CAF_REQUIRE(watching->accepted);
  subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  subscribe(sess, make_request("again", "m2"));
  consume_messages();
  CAF_CHECK_EQUAL(watching->count(event_type::complete), 2u);
  CAF_CHECK_EQUAL(last_info().subscribers, 1u);
  CAF_CHECK(!*gone);
  auto reply = ask(sess, cancel_session{"s-test", true, {}});
  CAF_REQUIRE_EQUAL(reply.status, 200u);
  CAF_CHECK_EQUAL(json_of(reply)["deleted"].GetString(), std::string{"s-test"});
  auto& last = watching->events.back();
  CAF_CHECK(last->raw.terminal);
  CAF_CHECK(last->raw.message_id.empty());
  CAF_CHECK_EQUAL(std::string{data_of(last)["state"].GetString()}, "closed");
  CAF_CHECK(*gone);
}

CAF_TEST(
  a session tells the streams it follows of its end and forgets leavers) {
  auto sess = make_session(settings());
  auto& state = deref<caf::stateful_actor<session_state>>(sess).state;
  stream_request follow;
  follow.whole_session = true;
  follow.session_id = "s-test";
  // The test holds them, as a socket holds its stream actor.
  caf::actor staying;
  caf::actor leaving;
  caf::actor starting;
  auto stays = subscribe(sess, follow, &staying);
  auto with_frames = follow;
  with_frames.frames = true;
  auto leaves = subscribe(sess, with_frames, &leaving);
  // A run's requester that does not subscribe is not followed: it would
  // monitor the session itself.
  auto fire_and_forget = make_request("hello", "m1");
  fire_and_forget.subscribe = false;
  auto starter = subscribe(sess, fire_and_forget, &starting);
  consume_messages();
  CAF_REQUIRE(stays->accepted && leaves->accepted && starter->accepted);
  CAF_CHECK(stays->session_tells_end);
  CAF_CHECK(leaves->session_tells_end);
  CAF_CHECK(!starter->session_tells_end);
  CAF_CHECK_EQUAL(state.watchers->size(), 2u);
  CAF_CHECK_EQUAL(state.frame_subscribers, 1u);
  caf::anon_send_exit(leaving, caf::exit_reason::kill);
  consume_messages();
  // Nothing of the one that left stays in the session.
  CAF_CHECK_EQUAL(state.watchers->size(), 1u);
  CAF_CHECK_EQUAL(state.subscribers.size(), 1u);
  CAF_CHECK_EQUAL(state.frame_subscribers, 0u);
  CAF_CHECK(stays->downs.empty());
  caf::anon_send_exit(sess, caf::exit_reason::kill);
  consume_messages();
  CAF_REQUIRE_EQUAL(stays->downs.size(), 1u);
  CAF_CHECK_EQUAL(stays->downs[0].source, sess.address());
  CAF_CHECK_EQUAL(stays->downs[0].reason,
                  caf::make_error(caf::exit_reason::kill));
  CAF_CHECK(leaves->downs.empty());
  CAF_CHECK(starter->downs.empty());
}

CAF_TEST(a run reads back as JSON envelopes after an id) {
  auto sess = make_session(settings());
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  auto reply = ask(sess, read_run_events{"m1", 3});
  CAF_REQUIRE_EQUAL(reply.status, 200u);
  auto doc = json_of(reply);
  CAF_REQUIRE(doc.IsObject());
  CAF_CHECK_EQUAL(doc["state"].GetString(), std::string{"finished"});
  auto& events = doc["events"];
  CAF_REQUIRE_EQUAL(events.Size(), rec->events.size() - 3);
  CAF_CHECK_EQUAL(events[0]["id"].GetUint64(), 4u);
  CAF_CHECK_EQUAL(events[events.Size() - 1]["type"].GetString(),
                  std::string{"complete"});
  CAF_CHECK(events[0]["data"].IsObject());
  auto missing = ask(sess, read_run_events{"m9", 0});
  CAF_CHECK_EQUAL(missing.status, 404u);
}

CAF_TEST(a paced fan-out delivers every event once and batches the rest) {
  auto s = settings();
  s.fanout_rate = 1; // two subscribers: one round per two seconds
  s.llm.planner_token_delay = std::chrono::milliseconds{1}; // tokens on timers
  auto sess = make_session(s);
  auto a = subscribe(sess, make_request("hello", "m1"));
  auto b = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  // The held events have not gone out: the round's timer has not fired.
  CAF_REQUIRE(a->accepted);
  auto before = a->events.size();
  auto late = subscribe(sess, make_request("hello", "m1"));
  run();
  for (auto* rec : {a.get(), b.get(), late.get()}) {
    CAF_REQUIRE_GREATER(rec->events.size(), 5u);
    for (std::size_t i = 0; i < rec->events.size(); ++i)
      CAF_CHECK_EQUAL(rec->events[i]->raw.id, i + 1);
    CAF_CHECK(rec->events.back()->raw.type == event_type::complete);
  }
  CAF_CHECK_EQUAL(a->events.size(), b->events.size());
  CAF_CHECK_EQUAL(a->events.size(), late->events.size());
  CAF_CHECK_LESS(before, a->events.size());
  CAF_CHECK_GREATER(a->live_batches, 0u);
}

CAF_TEST(an unpaced fan-out holds events only while the last round is unhandled) {
  auto sess = make_session(settings()); // fanout_rate 0
  auto a = subscribe(sess, make_request("hello", "m1"));
  // No timer fires here: whatever waited, waited for the subscriber alone.
  consume_messages();
  CAF_REQUIRE_GREATER(a->events.size(), 5u);
  for (std::size_t i = 0; i < a->events.size(); ++i)
    CAF_CHECK_EQUAL(a->events[i]->raw.id, i + 1);
  CAF_CHECK(a->events.back()->raw.type == event_type::complete);
  // Events stamped while the subscriber had not handled the last round
  // went together in the next one.
  CAF_CHECK_GREATER(a->live_batches, 0u);
  CAF_CHECK_LESS(a->messages, a->events.size());
}

CAF_TEST(a turns message update and complete reach a socket in one write) {
  auto sess = make_session(settings());
  auto sink = std::make_shared<immediate_sink>();
  auto probe
    = sys.spawn(subscriber_probe, std::make_shared<subscriber_record>());
  caf::anon_send(
    sess, open_stream{probe, make_request("hello", "m1"), nullptr, sink});
  consume_messages();
  CAF_REQUIRE(sink->saw_terminal);
  auto delivery_of = [&](event_type type) {
    for (auto& [taken_type, delivery] : sink->taken)
      if (taken_type == type)
        return delivery;
    CAF_FAIL("no event of the type");
    return std::size_t{0};
  };
  // The model's last turn ends the run: its three events are one round
  // (one write to the socket), not the message and update each alone.
  CAF_CHECK_EQUAL(delivery_of(event_type::message),
                  delivery_of(event_type::complete));
  CAF_CHECK_EQUAL(delivery_of(event_type::update),
                  delivery_of(event_type::complete));
  // The tokens before it went out as they came, each in a round of its own.
  CAF_CHECK_LESS(delivery_of(event_type::token),
                 delivery_of(event_type::message));
}

CAF_TEST(a session hands the store every event and record in order) {
  auto s = settings();
  s.store = std::make_shared<store_inbox>(1u << 20);
  auto sess = make_session(s);
  auto rec = subscribe(sess, make_request("hello", "m1"));
  consume_messages();
  CAF_REQUIRE(!rec->events.empty());
  CAF_REQUIRE(rec->events.back()->raw.type == event_type::complete);
  std::vector<std::uint64_t> stored_ids;
  std::vector<int> run_phases;
  std::string conversation;
  for (auto& write : s.store->take()) {
    if (auto* e = std::get_if<event_row>(&write))
      stored_ids.push_back(e->event->raw.id);
    if (auto* r = std::get_if<run_row>(&write))
      run_phases.push_back(static_cast<int>(r->phase));
    if (auto* c = std::get_if<conversation_row>(&write))
      conversation = c->json;
  }
  std::vector<std::uint64_t> streamed_ids;
  for (auto& ev : rec->events)
    streamed_ids.push_back(ev->raw.id);
  CAF_CHECK_EQUAL(stored_ids, streamed_ids);
  // Created (queued), begun, ended.
  CAF_CHECK_EQUAL(run_phases, (std::vector<int>{0, 1, 2}));
  auto messages = conversation_from_json(conversation);
  CAF_REQUIRE_EQUAL(messages.size(), 2u);
  CAF_CHECK_EQUAL(messages[0].content, "hello");
}

CAF_TEST(a restored session ends the run the process left unfinished) {
  auto saved = std::make_shared<restored_session>();
  saved->session = {"s-test", "hello", "127.0.0.1", 1000, 2000, 5, 2};
  run_row done;
  done.session_id = "s-test";
  done.message_id = "m1";
  done.number = 1;
  done.first_id = 1;
  done.last_id = 2;
  done.phase = run_phase::finished;
  done.outcome = run_outcome::complete;
  run_row cut = done;
  cut.message_id = "m2";
  cut.number = 2;
  cut.first_id = 3;
  cut.last_id = 3; // its record is older than its last event
  cut.phase = run_phase::running;
  cut.outcome = run_outcome::none;
  run_row waiting = cut;
  waiting.message_id = "m-q";
  waiting.number = 3;
  waiting.first_id = 4;
  waiting.last_id = 4;
  waiting.phase = run_phase::queued;
  saved->runs = {done, cut, waiting};
  for (std::uint64_t id = 1; id <= 4; ++id)
    saved->events.push_back(encode(event{id, event_type::token, "s-test",
                                         id <= 2 ? "m1" : id == 3 ? "m2" : "m-q",
                                         R"({"token":"x"})", id == 2}));
  saved->conversation_json = conversation_to_json({{"user", "hello", {}, {}}});
  auto sess = sys.spawn(session, std::string{"s-test"}, settings(), manager,
                        session_origin{"127.0.0.1", saved, {}, {}});
  auto resume = make_request("", "m2");
  resume.has_last_event_id = true;
  resume.last_event_id = 3;
  auto rec = subscribe(sess, resume);
  consume_messages();
  CAF_REQUIRE_EQUAL(rec->events.size(), 1u);
  auto ended = rec->events.front();
  CAF_CHECK_EQUAL(ended->raw.id, 5u);
  CAF_CHECK(ended->raw.type == event_type::error);
  CAF_CHECK_EQUAL(data_of(ended)["code"].GetString(), std::string{"server_restarted"});
  CAF_CHECK(rec->final_batch);
  // The queued run did not start and does not start now: it ended too.
  auto queued = subscribe(sess, make_request("", "m-q"));
  consume_messages();
  CAF_REQUIRE_EQUAL(queued->events.size(), 2u);
  CAF_CHECK_EQUAL(queued->events.back()->raw.id, 6u);
  CAF_CHECK_EQUAL(data_of(queued->events.back())["code"].GetString(),
                  std::string{"server_restarted"});
  CAF_CHECK_EQUAL(queued->count(event_type::status), 0u);
  auto next = subscribe(sess, make_request("read the title", "m3"));
  consume_messages();
  CAF_REQUIRE(!next->events.empty());
  CAF_CHECK_EQUAL(next->events.front()->raw.id, 7u);
  CAF_CHECK_EQUAL(last_info().title, "hello");
  // Its row said 2 runs, its records go to number 3: the next is the 4th.
  CAF_CHECK_EQUAL(last_info().runs, 4u);
}

CAF_TEST_FIXTURE_SCOPE_END()
