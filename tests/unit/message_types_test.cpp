#define CAF_SUITE message_types

#include <caf/test/dsl.hpp>

#include "messages/message_types.hpp"
#include "messages/messages.hpp"

using namespace agenttheo;

namespace {

struct config : caf::actor_system_config {
  config() {
    agenttheo::add_message_types(*this);
  }
};

struct fixture : test_coordinator_fixture<config> {
  template <class T>
  T round_trip(const T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto copy = x;
    if (auto err = sink(copy))
      CAF_FAIL("serializing failed: " << sys.render(err));
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
                         R"({"ok":true})", true});
  auto back = round_trip(event_frame{ev});
  CAF_REQUIRE(back.ev != nullptr);
  CAF_CHECK_EQUAL(back.ev->raw.id, 9u);
  CAF_CHECK(back.ev->raw.type == event_type::tool_end);
  CAF_CHECK(back.ev->raw.terminal);
  CAF_CHECK_EQUAL(back.ev->sse_frame, ev->sse_frame);
  CAF_CHECK_EQUAL(back.ev->envelope, ev->envelope);
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
  auto rejected = round_trip(stream_rejected{409, "session_busy", "busy"});
  CAF_CHECK_EQUAL(rejected.status, 409);
  CAF_CHECK_EQUAL(rejected.code, "session_busy");
  auto info = round_trip(session_info{"s", "running", 2, 3, "m", 5, 6});
  CAF_CHECK_EQUAL(info.subscribers, 3u);
  auto done = round_trip(llm_done{4, "text", 1, 2, {{"c1", "get_title", "{}"}}});
  CAF_CHECK_EQUAL(done.content, "text");
  CAF_REQUIRE_EQUAL(done.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(done.tool_calls[0].name, "get_title");
  auto closed = round_trip(stream_closed{close_reason::slow_consumer});
  CAF_CHECK(closed.reason == close_reason::slow_consumer);
}

CAF_TEST(every message type is registered by name) {
  for (auto* name : {"agenttheo.open_stream", "agenttheo.event_frame",
                     "agenttheo.event_batch", "agenttheo.stream_accepted",
                     "agenttheo.stream_rejected", "agenttheo.session_info",
                     "agenttheo.llm_delta", "agenttheo.llm_done",
                     "agenttheo.cancel_run"})
    CAF_CHECK(sys.types().make_value(name) != nullptr);
}

CAF_TEST_FIXTURE_SCOPE_END()
