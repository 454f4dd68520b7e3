#define CAF_SUITE ws_protocol

#include <caf/test/unit_test.hpp>

#include "config/approval_rules.hpp"

#include <rapidjson/document.h>

#include "messages/event.hpp"
#include "messages/payloads.hpp"
#include "protocol/ws_protocol.hpp"
#include "util/base64.hpp"

using namespace agenttheo;

namespace {

ws_client_message parse(const std::string& text) {
  return parse_ws_message(text, 100);
}

/// The error code of a message the server refuses ("" if it is accepted).
std::string refusal(const std::string& text) {
  auto msg = parse(text);
  auto* bad = std::get_if<ws_bad_message>(&msg);
  return bad ? bad->error.code : std::string{};
}

} // namespace

CAF_TEST(run and subscribe become stream requests) {
  auto run = parse(R"({"type":"run","command":"go","messageId":"m1","session":"s1",)"
                   R"("stream_mode":"messages","multitask":"enqueue","max_steps":3,)"
                   R"("batch_ms":20,"ref":"r7"})");
  auto& sub = std::get<ws_subscribe>(run);
  CAF_CHECK_EQUAL(sub.request.command, "go");
  CAF_CHECK_EQUAL(sub.request.message_id, "m1");
  CAF_CHECK_EQUAL(sub.request.session_id, "s1");
  CAF_CHECK(sub.request.strategy == multitask::enqueue);
  CAF_CHECK_EQUAL(sub.request.max_steps, 3u);
  CAF_CHECK_EQUAL(sub.request.batch_ms, 20u);
  CAF_CHECK_EQUAL(sub.ref, "r7");
  CAF_CHECK(!sub.request.whole_session);
  CAF_CHECK_EQUAL(subscription_key(sub.request), "run:m1");
  auto session = parse(R"({"type":"subscribe","session":"s1","lastEventId":41})");
  auto& follow = std::get<ws_subscribe>(session);
  CAF_CHECK(follow.request.whole_session);
  CAF_CHECK(follow.request.has_last_event_id);
  CAF_CHECK_EQUAL(follow.request.last_event_id, 41u);
  CAF_CHECK_EQUAL(subscription_key(follow.request), "session:s1");
  auto one = parse(R"({"type":"subscribe","messageId":"m1"})");
  CAF_CHECK(!std::get<ws_subscribe>(one).request.whole_session);
  auto off = parse(R"({"type":"unsubscribe","messageId":"m1"})");
  CAF_CHECK_EQUAL(std::get<ws_unsubscribe>(off).key, "run:m1");
  auto stop = parse(R"({"type":"cancel","session":"s1","ref":"x"})");
  CAF_CHECK_EQUAL(std::get<ws_cancel>(stop).session_id, "s1");
  CAF_CHECK_EQUAL(std::get<ws_cancel>(stop).ref, "x");
  CAF_CHECK(std::holds_alternative<ws_ping>(parse(R"({"type":"ping"})")));
}

CAF_TEST(steering messages name their session and carry their body) {
  auto resolve = parse(R"({"type":"resolve","session":"s1","interrupt_id":"int-1",)"
                       R"("decision":"approve","ref":"r"})");
  const auto& r = std::get<ws_steer>(resolve);
  CAF_CHECK(r.request.action == steer_action::resolve);
  CAF_CHECK_EQUAL(r.request.session_id, "s1");
  CAF_CHECK_EQUAL(r.request.interrupt_id, "int-1");
  CAF_CHECK_EQUAL(r.request.by, "ws");
  CAF_CHECK_EQUAL(r.ref, "r");
  CAF_CHECK_NOT_EQUAL(r.request.body_json.find("\"approve\""), std::string::npos);
  auto input = parse(R"({"type":"input","session":"s1","event":{"type":"text","text":"x"}})");
  CAF_CHECK(std::get<ws_steer>(input).request.action == steer_action::input);
  CAF_CHECK_EQUAL(std::get<ws_steer>(input).request.body_json,
                  R"({"type":"text","text":"x"})");
  for (auto [type, action] : {std::pair{"pause", steer_action::pause},
                              std::pair{"resume", steer_action::resume},
                              std::pair{"control", steer_action::control}})
    CAF_CHECK(std::get<ws_steer>(parse(std::string{R"({"type":")"} + type
                                       + R"(","session":"s1"})"))
                .request.action
              == action);
  CAF_CHECK_EQUAL(refusal(R"({"type":"pause"})"), "bad_session");
  CAF_CHECK_EQUAL(refusal(R"({"type":"resolve","session":"s1"})"), "bad_message");
  CAF_CHECK_EQUAL(refusal(R"({"type":"input","session":"s1","event":"click"})"),
                  "bad_input_event");
  auto run = parse(R"({"type":"run","command":"x","approve":"navigate,submit",)"
                   R"("interrupt_timeout":"90s"})");
  const auto& req = std::get<ws_subscribe>(run).request;
  CAF_CHECK_EQUAL(req.approve, approval::navigate | approval::submit);
  CAF_CHECK_EQUAL(req.interrupt_timeout_ms, 90'000u);
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":"x","approve":"some"})"),
                  "bad_approve");
}

CAF_TEST(bad messages are refused with a code) {
  CAF_CHECK_EQUAL(refusal("not json"), "bad_json");
  CAF_CHECK_EQUAL(refusal("[1,2]"), "bad_json");
  CAF_CHECK_EQUAL(refusal(R"({"command":"x"})"), "bad_message");
  CAF_CHECK_EQUAL(refusal(R"({"type":"dance"})"), "unknown_type");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run"})"), "missing_command");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":7})"), "bad_message");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":")" + std::string(101, 'x') + "\"}"),
                  "command_too_long");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":"x","stream_mode":"all"})"),
                  "bad_stream_mode");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":"x","batch_ms":5000})"),
                  "bad_batch_ms");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":"x","messageId":"a b"})"),
                  "bad_message_id");
  CAF_CHECK_EQUAL(refusal(R"({"type":"run","command":"x","multitask":"maybe"})"),
                  "bad_multitask");
  CAF_CHECK_EQUAL(refusal(R"({"type":"subscribe"})"), "bad_target");
  CAF_CHECK_EQUAL(refusal(R"({"type":"subscribe","session":"s","messageId":"m"})"),
                  "bad_target");
  CAF_CHECK_EQUAL(refusal(R"({"type":"subscribe","session":"s","lastEventId":-1})"),
                  "bad_message");
  CAF_CHECK_EQUAL(refusal(R"({"type":"cancel"})"), "bad_session");
  CAF_CHECK_EQUAL(refusal(R"({"type":"ping","ref":5})"), "bad_message");
  auto msg = parse(R"({"type":"dance","ref":"r1"})");
  CAF_CHECK_EQUAL(std::get<ws_bad_message>(msg).ref, "r1");
}

CAF_TEST(replies and errors are JSON envelopes) {
  rapidjson::Document doc;
  auto err = ws_error({400, "bad_json", "nope"}, "r1");
  doc.Parse(err.c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK_EQUAL(doc["type"].GetString(), std::string{"error"});
  CAF_CHECK_EQUAL(doc["ref"].GetString(), std::string{"r1"});
  CAF_CHECK_EQUAL(doc["data"]["code"].GetString(), std::string{"bad_json"});
  CAF_CHECK_EQUAL(doc["data"]["status"].GetInt(), 400);
  auto pong = ws_reply("pong", "", R"({"time":1})");
  CAF_CHECK_EQUAL(pong, R"({"type":"pong","data":{"time":1}})");
}

CAF_TEST(screenshots get a binary form with a header and the raw image) {
  auto shot = encode(event{7, event_type::screenshot, "s1", "m1",
                           payload::screenshot("image/jpeg", "/9j/4AAQ", "https://x/"),
                           false, 1'796'251'545'000});
  const auto& bin = shot->ws_binary();
  CAF_REQUIRE(bin.size() > 4);
  auto n = (static_cast<unsigned char>(bin[0]) << 24)
           | (static_cast<unsigned char>(bin[1]) << 16)
           | (static_cast<unsigned char>(bin[2]) << 8)
           | static_cast<unsigned char>(bin[3]);
  rapidjson::Document header;
  header.Parse(bin.data() + 4, static_cast<std::size_t>(n));
  CAF_REQUIRE(!header.HasParseError());
  CAF_CHECK_EQUAL(header["type"].GetString(), std::string{"screenshot"});
  CAF_CHECK_EQUAL(header["id"].GetUint64(), 7u);
  CAF_CHECK_EQUAL(header["session"].GetString(), std::string{"s1"});
  CAF_CHECK_EQUAL(header["ts"].GetInt64(), 1'796'251'545'000);
  CAF_CHECK_EQUAL(header["mime"].GetString(), std::string{"image/jpeg"});
  CAF_CHECK_EQUAL(header["url"].GetString(), std::string{"https://x/"});
  auto image = bin.substr(4 + static_cast<std::size_t>(n));
  CAF_CHECK_EQUAL(image, *base64_decode("/9j/4AAQ"));
  CAF_CHECK_EQUAL(image.size(), 6u);
  CAF_CHECK(static_cast<unsigned char>(image[0]) == 0xff);
  // Other events have none: WebSocket sends their envelope as text.
  auto token = encode(event{8, event_type::token, "s1", "m1", payload::token("a", 1), false});
  CAF_CHECK(token->ws_binary().empty());
  CAF_CHECK(ws_bytes(token).get() == &token->envelope());
}

CAF_TEST(base64 decodes with and without padding and rejects junk) {
  CAF_CHECK_EQUAL(*base64_decode("aGVsbG8="), "hello");
  CAF_CHECK_EQUAL(*base64_decode("aGVsbG8"), "hello");
  CAF_CHECK_EQUAL(*base64_decode(""), "");
  CAF_CHECK(!base64_decode("aGV*bG8="));
  CAF_CHECK(!base64_decode("a"));
}

CAF_TEST(base64 encodes with padding and round trips every byte) {
  CAF_CHECK_EQUAL(base64_encode("hello"), "aGVsbG8=");
  CAF_CHECK_EQUAL(base64_encode("hell"), "aGVsbA==");
  CAF_CHECK_EQUAL(base64_encode("hel"), "aGVs");
  CAF_CHECK_EQUAL(base64_encode(""), "");
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (std::size_t n = 250; n <= 256; ++n)
    CAF_CHECK_EQUAL(*base64_decode(base64_encode(all.substr(0, n))), all.substr(0, n));
}
