#define CAF_SUITE message_types

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test.hpp>

#include <set>
#include <type_traits>

#include <boost/pfr/core.hpp>

#include "actors/browser.hpp"
#include "actors/message_types.hpp"
#include "actors/page.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"

using namespace agenttheo;

namespace {

struct config : caf::actor_system_config {
  config() {
    agenttheo::add_message_types(*this);
  }
};

template <class T>
struct is_vector : std::false_type {};

template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

/// An inspector that gives every field a value other than its default
/// (strings, numbers 1..5, true, one-element vectors, nested structs), so a
/// round trip that drops or mixes up a field shows. New fields are covered
/// without touching the test. Load callbacks run, as after deserializing.
struct sample_filler {
  using result_type = void;
  static constexpr bool reads_state = false;
  static constexpr bool writes_state = true;
  int counter = 0;

  template <class... Ts>
  void operator()(Ts&&... xs) {
    (fill(std::forward<Ts>(xs)), ...);
  }

  template <class T>
  void fill(T&& x) {
    using value = std::decay_t<T>;
    if constexpr (caf::meta::is_annotation<value>::value) {
      if constexpr (caf::meta::is_load_callback<value>::value)
        x.fun();
    } else if constexpr (std::is_same_v<value, bool>) {
      x = true;
    } else if constexpr (std::is_enum_v<value> || std::is_arithmetic_v<value>) {
      x = static_cast<value>(counter++ % 5 + 1);
    } else if constexpr (std::is_same_v<value, std::string>) {
      x = "v" + std::to_string(counter++);
    } else if constexpr (is_vector<value>::value) {
      x.resize(1);
      fill(x.front());
    } else if constexpr (std::is_same_v<value, caf::actor>) {
      // Handles stay empty: a test has no remote node to point them at.
    } else {
      inspect(*this, x);
    }
  }
};

/// Counts the fields an `inspect` overload hands its inspector (not the
/// annotations), without descending into them.
struct field_counter {
  using result_type = void;
  static constexpr bool reads_state = true;
  static constexpr bool writes_state = false;
  std::size_t fields = 0;

  template <class... Ts>
  void operator()(Ts&&... xs) {
    ((fields += caf::meta::is_annotation<std::decay_t<Ts>>::value ? 0 : 1),
     ...);
  }
};

/// Messages whose `inspect` sends something other than their members: an
/// event (its raw fields, re-encoded on arrival) or bytes behind a pointer.
template <class T>
constexpr bool serializes_members
  = !std::is_same_v<T, event_frame> && !std::is_same_v<T, video_frame>;

/// The members `inspect` must visit: all of them, but where a message
/// carries a struct of which only some members may cross a node.
template <class T>
constexpr std::size_t members_sent = boost::pfr::tuple_size_v<T>;

/// The record's `id` is given by the registry that receives it, and its
/// `stats` are memory shared within one process.
template <>
constexpr std::size_t members_sent<actor_joined>
  = boost::pfr::tuple_size_v<actor_record> - 2;

/// A live round's ticket is memory shared within one process.
template <>
constexpr std::size_t members_sent<event_batch>
  = boost::pfr::tuple_size_v<event_batch> - 1;

/// A subscriber's socket (`sink`) is memory shared within one process.
template <>
constexpr std::size_t members_sent<open_stream>
  = boost::pfr::tuple_size_v<open_stream> - 1;

/// When a request reached this process (`received`) is stamped where it
/// arrives, never sent: another node's clock means nothing here.
template <>
constexpr std::size_t members_sent<stream_request>
  = boost::pfr::tuple_size_v<stream_request> - 1;

/// Has a constructor (its many `{status, json}` replies would otherwise
/// leave its newer members out, and warn), so PFR cannot count it.
template <>
constexpr std::size_t members_sent<api_reply> = 4;

struct fixture : test_coordinator_fixture<config> {
  template <class T>
  std::vector<char> bytes_of(const T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto copy = x;
    if (auto err = sink(copy))
      CAF_FAIL("serializing failed: " << sys.render(err));
    return buf;
  }

  /// Fills a `T`, sends it through the binary serializer and back, and
  /// checks that the copy serializes to the same bytes (so every field came
  /// back) and that those differ from a default `T`'s.
  /// Every member of `T` goes through its `inspect`: a member left out
  /// would never be filled below, so the round trip alone cannot see it.
  template <class T>
  void check_every_member_inspected(const char* name) {
    if constexpr (serializes_members<T>) {
      T sample;
      field_counter counter;
      inspect(counter, sample);
      if (counter.fields != members_sent<T>)
        CAF_FAIL(name << ": inspect visits " << counter.fields << " of "
                      << members_sent<T> << " members");
    }
  }

  template <class T>
  void check_round_trip(const char* name) {
    check_every_member_inspected<T>(name);
    T sample;
    sample_filler filler;
    inspect(filler, sample);
    auto sent = bytes_of(sample);
    auto back = round_trip(sample);
    CAF_CHECK_EQUAL(bytes_of(back), sent);
    CAF_CHECK_NOT_EQUAL(bytes_of(T{}), sent);
    checked.insert(name);
  }

  std::set<std::string> checked;

  template <class T>
  T round_trip(const T& x) {
    auto buf = bytes_of(x);
    T result;
    caf::binary_deserializer source{sys, buf};
    if (auto err = source(result))
      CAF_FAIL("deserializing failed: " << sys.render(err));
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(message_type_tests, fixture)

CAF_TEST(events cross a serializer and come back encoded) {
  auto ev = encode(event{9, event_type::tool_end, "s-1", "m-1",
                         R"({"ok":true})", true, 1'796'251'545'123});
  auto back = round_trip(event_frame{ev});
  CAF_REQUIRE(back.ev != nullptr);
  CAF_CHECK_EQUAL(back.ev->raw.id, 9u);
  CAF_CHECK(back.ev->raw.type == event_type::tool_end);
  CAF_CHECK(back.ev->raw.terminal);
  CAF_CHECK_EQUAL(back.ev->raw.ts, 1'796'251'545'123);
  CAF_CHECK_EQUAL(back.ev->sse_frame, ev->sse_frame);
  CAF_CHECK_EQUAL(back.ev->envelope(), ev->envelope());
  auto batch = round_trip(event_batch{{{ev}, {ev}}, true});
  CAF_CHECK_EQUAL(batch.events.size(), 2u);
  CAF_CHECK(batch.final);
}

CAF_TEST(requests and lifecycle messages round trip) {
  stream_request req;
  req.command = "go to example.com";
  req.message_id = "m";
  req.session_id = "s";
  req.modes = 3;
  req.has_last_event_id = true;
  req.last_event_id = 41;
  req.cancel_on_disconnect = true;
  auto back = round_trip(req);
  CAF_CHECK_EQUAL(back.command, req.command);
  CAF_CHECK_EQUAL(back.modes, 3);
  CAF_CHECK_EQUAL(back.last_event_id, 41u);
  CAF_CHECK(back.cancel_on_disconnect);
  auto rejected = round_trip(api_error{409, "session_busy", "busy"});
  CAF_CHECK_EQUAL(rejected.status, 409);
  CAF_CHECK_EQUAL(rejected.code, "session_busy");
  auto info = round_trip(session_info{"s", "Find shoes", "running", 2, 3, "m", 5, 6, 7, ""});
  CAF_CHECK_EQUAL(info.title, "Find shoes");
  CAF_CHECK_EQUAL(info.subscribers, 3u);
  auto done = round_trip(llm_done{4, "text", 1, 2, {{"c1", "get_title", "{}"}}});
  CAF_CHECK_EQUAL(done.content, "text");
  CAF_REQUIRE_EQUAL(done.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(done.tool_calls[0].name, "get_title");
  stream_request asked;
  asked.client = "API token";
  asked.rerun.of = "m-1";
  asked.rerun.fallback = rerun_fallback::fail;
  asked.rerun.steps.push_back({"I'll click About.", {{"c1", "click", R"({"target":"About"})"}},
                               "http://127.0.0.1:8/"});
  auto crossed = round_trip(asked);
  CAF_CHECK_EQUAL(crossed.client, "API token");
  CAF_CHECK_EQUAL(crossed.rerun.of, "m-1");
  CAF_CHECK(crossed.rerun.fallback == rerun_fallback::fail);
  CAF_REQUIRE_EQUAL(crossed.rerun.steps.size(), 1u);
  CAF_CHECK_EQUAL(crossed.rerun.steps[0].url_before, "http://127.0.0.1:8/");
  CAF_CHECK_EQUAL(crossed.rerun.steps[0].tool_calls.at(0).arguments, R"({"target":"About"})");
  auto made = round_trip(new_session_request{"s-1", "127.0.0.7", {}, {}});
  CAF_CHECK_EQUAL(made.id, "s-1");
  CAF_CHECK_EQUAL(made.client, "127.0.0.7");
  auto closed = round_trip(stream_closed{close_reason::slow_consumer});
  CAF_CHECK(closed.reason == close_reason::slow_consumer);
}

CAF_TEST(secrets cross nodes whole but never show in text) {
  update_session change;
  change.session_id = "s-1";
  change.secrets.set.push_back({"pw", "hunter2-Sx9", {"127.0.0.1"}});
  change.secrets.removed.push_back("old");
  auto crossed = round_trip(change);
  CAF_REQUIRE_EQUAL(crossed.secrets.set.size(), 1u);
  CAF_CHECK_EQUAL(crossed.secrets.set[0].value, "hunter2-Sx9");
  CAF_CHECK_EQUAL(crossed.secrets.set[0].hosts.at(0), "127.0.0.1");
  CAF_CHECK_EQUAL(crossed.secrets.removed.at(0), "old");
  new_session_request made{"s-2", "c", "Shop", change.secrets.set};
  CAF_CHECK_EQUAL(round_trip(made).secrets.at(0).value, "hunter2-Sx9");
  // What CAF's logs and error texts would print.
  auto text = caf::deep_to_string(change) + caf::deep_to_string(made)
              + caf::to_string(caf::make_message(change));
  CAF_CHECK_NOT_EQUAL(text.find("pw"), std::string::npos);
  CAF_CHECK_EQUAL(text.find("hunter2"), std::string::npos);
}

CAF_TEST(every registered message type round trips through the binary serializer) {
  check_round_trip<stream_request>("agenttheo.stream_request");
  check_round_trip<open_stream>("agenttheo.open_stream");
  check_round_trip<stream_accepted>("agenttheo.stream_accepted");
  check_round_trip<api_error>("agenttheo.api_error");
  check_round_trip<event_frame>("agenttheo.event_frame");
  check_round_trip<event_batch>("agenttheo.event_batch");
  check_round_trip<stream_closed>("agenttheo.stream_closed");
  check_round_trip<ws_text>("agenttheo.ws_text");
  check_round_trip<screencast_frame>("agenttheo.screencast_frame");
  check_round_trip<artifact_saved>("agenttheo.artifact_saved");
  check_round_trip<video_frame>("agenttheo.video_frame");
  check_round_trip<cancel_run>("agenttheo.cancel_run");
  check_round_trip<actor_joined>("agenttheo.actor_joined");
  check_round_trip<recent_error>("agenttheo.recent_error");
  check_round_trip<disconnect_actor>("agenttheo.disconnect_actor");
  check_round_trip<actor_titled>("agenttheo.actor_titled");
  check_round_trip<api_reply>("agenttheo.api_reply");
  check_round_trip<describe_session>("agenttheo.describe_session");
  check_round_trip<cancel_session>("agenttheo.cancel_session");
  check_round_trip<update_session>("agenttheo.update_session");
  check_round_trip<steer_session>("agenttheo.steer_session");
  check_round_trip<session_tool>("agenttheo.session_tool");
  check_round_trip<mcp_post>("agenttheo.mcp_post");
  check_round_trip<mcp_delete>("agenttheo.mcp_delete");
  check_round_trip<mcp_answer>("agenttheo.mcp_answer");
  check_round_trip<mcp_resume>("agenttheo.mcp_resume");
  check_round_trip<mcp_listener>("agenttheo.mcp_listener");
  check_round_trip<mcp_subscriptions>("agenttheo.mcp_subscriptions");
  check_round_trip<new_session_request>("agenttheo.new_session_request");
  check_round_trip<client_streams_view>("agenttheo.client_streams_view");
  check_round_trip<read_run_events>("agenttheo.read_run_events");
  check_round_trip<read_run_view>("agenttheo.read_run_view");
  check_round_trip<llm_delta>("agenttheo.llm_delta");
  check_round_trip<tool_call>("agenttheo.tool_call");
  check_round_trip<llm_done>("agenttheo.llm_done");
  check_round_trip<llm_retrying>("agenttheo.llm_retrying");
  check_round_trip<llm_stream_end>("agenttheo.llm_stream_end");
  check_round_trip<http_done>("agenttheo.http_done");
  check_round_trip<llm_failed>("agenttheo.llm_failed");
  check_round_trip<tool_started>("agenttheo.tool_started");
  check_round_trip<tool_finished>("agenttheo.tool_finished");
  check_round_trip<tool_note>("agenttheo.tool_note");
  check_round_trip<session_info>("agenttheo.session_info");
  check_round_trip<run_forgotten>("agenttheo.run_forgotten");
  check_round_trip<run_location>("agenttheo.run_location");
  check_round_trip<relay_member>("agenttheo.relay_member");
  check_round_trip<node_status>("agenttheo.node_status");
  check_round_trip<cdp_call>("agenttheo.cdp_call");
  check_round_trip<cdp_incoming>("agenttheo.cdp_incoming");
  check_round_trip<cdp_event>("agenttheo.cdp_event");
  check_round_trip<cdp_result>("agenttheo.cdp_result");
  check_round_trip<page_handle>("agenttheo.page_handle");
  check_round_trip<tool_request>("agenttheo.tool_request");
  check_round_trip<tool_result>("agenttheo.tool_result");
  // A type registered but not checked above fails here.
  std::vector<std::string> unchecked;
  std::size_t registered = 0;
  for (const auto& entry : cfg.value_factories_by_name) {
    if (entry.first.rfind("agenttheo.", 0) != 0)
      continue;
    ++registered;
    if (checked.count(entry.first) == 0)
      unchecked.push_back(entry.first);
  }
  CAF_CHECK_EQUAL(unchecked, std::vector<std::string>{});
  CAF_CHECK_EQUAL(registered, checked.size());
}

CAF_TEST(a stream crossing to a gateway keeps the node it runs on) {
  stream_request req;
  req.session_id = "s-1";
  req.new_session = true;
  req.node = "127.0.0.1:9101";
  auto back = round_trip(req);
  CAF_CHECK(back.new_session);
  CAF_CHECK_EQUAL(back.node, "127.0.0.1:9101");
  auto accepted = round_trip(stream_accepted{nullptr, "s-1", "m-1", "running",
                                             "127.0.0.1:9101"});
  CAF_CHECK_EQUAL(accepted.node, "127.0.0.1:9101");
  node_status status;
  status.sessions.push_back(session_info{"s-1", "go", "running", 1, 2, "m-1", 0, 0, 0, ""});
  status.runs.push_back({"m-1", "s-1"});
  status.max_sessions = 7;
  auto status_back = round_trip(status);
  CAF_REQUIRE_EQUAL(status_back.sessions.size(), 1u);
  CAF_CHECK_EQUAL(status_back.sessions[0].current_message_id, "m-1");
  CAF_REQUIRE_EQUAL(status_back.runs.size(), 1u);
  CAF_CHECK_EQUAL(status_back.runs[0].session_id, "s-1");
  CAF_CHECK_EQUAL(status_back.max_sessions, 7u);
}

CAF_TEST(every message type is registered by name) {
  for (auto* name :
       {"agenttheo.open_stream", "agenttheo.event_frame",
        "agenttheo.event_batch", "agenttheo.stream_accepted",
        "agenttheo.api_error", "agenttheo.session_info", "agenttheo.llm_delta",
        "agenttheo.llm_done", "agenttheo.cancel_run"})
    CAF_CHECK(sys.types().make_value(name) != nullptr);
}

CAF_TEST_FIXTURE_SCOPE_END()
