#define CAF_SUITE event_schema

#include <caf/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "messages/event.hpp"
#include "messages/payloads.hpp"

using namespace agenttheo;

namespace {

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  CAF_REQUIRE(!doc.HasParseError());
  return doc;
}

} // namespace

CAF_TEST(every event type has its guide name and round trips) {
  const char* names[] = {"token",      "message", "progress", "tool_start",
                         "tool_end",   "update",  "custom",   "screenshot",
                         "start",      "complete", "status",  "error",
                         "gap"};
  for (auto* name : names) {
    auto type = parse_event_type(name);
    CAF_REQUIRE(type.has_value());
    CAF_CHECK_EQUAL(to_string(*type), name);
  }
  CAF_CHECK(!parse_event_type("tokens"));
}

CAF_TEST(stream modes map each event type as the guide says) {
  CAF_CHECK(mode_of(event_type::token) == stream_mode::messages);
  CAF_CHECK(mode_of(event_type::message) == stream_mode::messages);
  CAF_CHECK(mode_of(event_type::progress) == stream_mode::updates);
  CAF_CHECK(mode_of(event_type::tool_start) == stream_mode::updates);
  CAF_CHECK(mode_of(event_type::tool_end) == stream_mode::updates);
  CAF_CHECK(mode_of(event_type::update) == stream_mode::updates);
  CAF_CHECK(mode_of(event_type::screenshot) == stream_mode::updates);
  CAF_CHECK(mode_of(event_type::artifact) == stream_mode::updates);
  CAF_CHECK(parse_event_type("artifact") == event_type::artifact);
  CAF_CHECK(mode_of(event_type::custom) == stream_mode::custom);
  for (auto type : {event_type::start, event_type::complete, event_type::status,
                    event_type::error, event_type::gap}) {
    CAF_CHECK(!mode_of(type));
    CAF_CHECK(wants(static_cast<mode_mask>(stream_mode::custom), type));
  }
  auto messages = static_cast<mode_mask>(stream_mode::messages);
  CAF_CHECK(wants(messages, event_type::token));
  CAF_CHECK(!wants(messages, event_type::progress));
  CAF_CHECK(!wants(messages, event_type::custom));
}

CAF_TEST(mode lists parse and reject unknown names) {
  auto mask = [](const char* text) { return parse_mode_mask(text).value_or(0); };
  CAF_CHECK_EQUAL(mask(""), all_modes);
  CAF_CHECK_EQUAL(mask("messages"), 1);
  CAF_CHECK_EQUAL(mask("messages,custom"), 5);
  CAF_CHECK_EQUAL(mask("updates, custom"), 6);
  CAF_CHECK(!parse_mode_mask("message"));
  CAF_CHECK(!parse_mode_mask("messages,bogus"));
  CAF_CHECK_EQUAL(mode_mask_to_string(5), "messages,custom");
}

CAF_TEST(an event is encoded once into an SSE frame and an envelope) {
  auto ev = encode(event{42, event_type::token, "s-1", "m-1",
                         payload::token("Hello ", 1), false, 1'796'251'545'123});
  CAF_CHECK_EQUAL(ev->sse_frame,
                  "id: 42\nevent: token\ndata: "
                  "{\"token\":\"Hello \",\"metadata\":{\"count\":1}}\n\n");
  auto env = parse(ev->envelope());
  CAF_CHECK_EQUAL(env["type"].GetString(), std::string{"token"});
  CAF_CHECK_EQUAL(env["id"].GetUint64(), 42u);
  CAF_CHECK_EQUAL(env["session"].GetString(), std::string{"s-1"});
  CAF_CHECK_EQUAL(env["messageId"].GetString(), std::string{"m-1"});
  // The server's time is the envelope's; SSE `data` stays the guide's.
  CAF_CHECK_EQUAL(env["ts"].GetInt64(), 1'796'251'545'123);
  CAF_CHECK_EQUAL(env["data"]["token"].GetString(), std::string{"Hello "});
  CAF_CHECK_EQUAL(env["data"]["metadata"]["count"].GetInt(), 1);
  // The SSE view shares the event's bytes rather than copying them.
  auto bytes = sse_bytes(ev);
  CAF_CHECK_EQUAL(bytes.get(), &ev->sse_frame);
}

CAF_TEST(an events byte count holds its WebSocket forms before they exist) {
  // A long session id and message id, a token and a screenshot: the log's
  // byte bound counts the forms a WebSocket subscriber will build.
  std::string session(64, 's');
  std::string message_id(64, 'm');
  std::string image(4000, 'A'); // base64 of 3,000 bytes
  auto token = encode(event{1, event_type::token, session, message_id,
                            payload::token("\"quoted\" \\ text", 1), false, 1});
  auto shot = encode(
    event{2, event_type::screenshot, session, message_id,
          payload::screenshot("image/jpeg", image, "https://x/"), false, 1});
  for (const auto& ev : {token, shot}) {
    auto counted = ev->footprint();
    auto held = sizeof(encoded_event) + ev->raw.data.size()
                + ev->sse_frame.size() + ev->envelope().size()
                + ev->ws_binary().size() + ev->raw.session.size()
                + ev->raw.message_id.size();
    CAF_CHECK_GREATER_OR_EQUAL(counted, held);
    // And no more than a few hundred bytes over it.
    CAF_CHECK_LESS(counted, held + 512);
    CAF_CHECK_EQUAL(ev->footprint(), counted);
  }
  CAF_CHECK_EQUAL(shot->ws_binary().size() > 3000, true);
}

CAF_TEST(payloads carry the guide fields and stay on one line) {
  std::vector<std::string> all = {
    payload::token("a\nb", 3),
    payload::message("assistant", "line1\nline2", 1),
    payload::progress(1, 5, "Navigating to website...", true, 10),
    payload::tool_start("navigate_to", R"({"url":"https://example.com"})",
                        "c1"),
    payload::tool_end("navigate_to", "c1", "ok\n", true, 12),
    payload::update(1, "agent", R"({"x":1})"),
    payload::custom(R"({"anything":[1,2]})"),
    payload::screenshot("image/png", "iVBOR", "https://example.com"),
    payload::start("s", "m", "cmd", "messages", {"planner", "p"}),
    payload::complete({"done", 2, {10, 20}, 20, 1500, false, "m"}),
    payload::status("running", "working"),
    payload::error("bad", "went wrong"),
    payload::gap(3, 7),
    payload::status("queued", "waits", "m2"),
    payload::run_error("browser_crashed", "reset", "m2", false),
    payload::artifact("s:1", "a b\n.csv", "text/csv", 42, "download"),
  };
  for (auto& json : all) {
    CAF_CHECK_EQUAL(json.find('\n'), std::string::npos);
    parse(json);
  }
  auto progress = parse(all[2]);
  CAF_CHECK_EQUAL(progress["step"].GetInt(), 1);
  CAF_CHECK_EQUAL(progress["total"].GetInt(), 5);
  auto tool = parse(all[3]);
  CAF_CHECK_EQUAL(tool["tool_input"]["url"].GetString(),
                  std::string{"https://example.com"});
  auto done = parse(all[9]);
  CAF_CHECK_EQUAL(done["usage"]["total_tokens"].GetInt(), 30);
  CAF_CHECK_EQUAL(done["summary"]["tokens_streamed"].GetInt(), 20);
  CAF_CHECK_EQUAL(done["summary"]["elapsed_time"].GetDouble(), 1.5);
  CAF_CHECK_EQUAL(done["summary"]["messageId"].GetString(), std::string{"m"});
  CAF_CHECK_EQUAL(done["cancelled"].GetBool(), false);
  auto gap = parse(all[12]);
  CAF_CHECK_EQUAL(gap["lost"].GetInt(), 5);
  // A run's lifecycle events name their run; the session's own do not.
  CAF_CHECK(!parse(all[10]).HasMember("messageId"));
  auto queued = parse(all[13]);
  CAF_CHECK_EQUAL(queued["messageId"].GetString(), std::string{"m2"});
  auto artifact = parse(all[15]);
  CAF_CHECK_EQUAL(artifact["bytes"].GetInt(), 42);
  CAF_CHECK_EQUAL(std::string{artifact["url"].GetString()},
                  "/api/sessions/s%3A1/artifacts/a%20b%0A.csv");
  auto run_error = parse(all[14]);
  CAF_CHECK_EQUAL(run_error["messageId"].GetString(), std::string{"m2"});
  CAF_CHECK_EQUAL(run_error["final"].GetBool(), false);
  CAF_CHECK_EQUAL(run_error["code"].GetString(), std::string{"browser_crashed"});
}
