#define CAF_SUITE user_input

#include "browser/user_input.hpp"

#include <caf/test/unit_test.hpp>

#include "util/json_reader.hpp"

using namespace agenttheo;

namespace {

cdp_command ok(std::string_view event) {
  auto got = input_command(event);
  if (auto* why = std::get_if<std::string>(&got))
    CAF_FAIL("refused " << event << ": " << *why);
  return std::get<cdp_command>(got);
}

std::string refused(std::string_view event) {
  auto got = input_command(event);
  auto* why = std::get_if<std::string>(&got);
  return why ? *why : std::string{};
}

} // namespace

CAF_TEST(mouse events become dispatchMouseEvent in the frame space) {
  auto down = ok(R"({"type":"mousedown","x":100,"y":25.5})");
  CAF_CHECK_EQUAL(down.method, "Input.dispatchMouseEvent");
  json_document doc{down.params_json};
  json_reader p{doc};
  CAF_CHECK_EQUAL(p.text("type").value_or(""), "mousePressed");
  CAF_CHECK_EQUAL(p.text("button").value_or(""), "left");
  CAF_CHECK_EQUAL(p.number("x").value_or(0), 100.0);
  CAF_CHECK_EQUAL(p.number("y").value_or(0), 25.5);
  CAF_CHECK_EQUAL(p.integer("clickCount").value_or(0), 1);
  json_document move{ok(R"({"type":"mousemove","x":1,"y":2})").params_json};
  CAF_CHECK_EQUAL(json_reader{move}.text("button").value_or(""), "none");
  json_document wheel{ok(R"({"type":"wheel","x":1,"y":2,"deltaY":300})").params_json};
  CAF_CHECK_EQUAL(json_reader{wheel}.text("type").value_or(""), "mouseWheel");
  CAF_CHECK_EQUAL(json_reader{wheel}.number("deltaY").value_or(0), 300.0);
}

CAF_TEST(keys type their character and named keys their code) {
  json_document a{ok(R"({"type":"keydown","key":"a"})").params_json};
  json_reader key{a};
  CAF_CHECK_EQUAL(key.text("type").value_or(""), "keyDown");
  CAF_CHECK_EQUAL(key.text("text").value_or(""), "a");
  CAF_CHECK_EQUAL(key.integer("windowsVirtualKeyCode").value_or(0), 'A');
  json_document enter{ok(R"({"type":"keydown","key":"Enter"})").params_json};
  CAF_CHECK_EQUAL(json_reader{enter}.text("text").value_or(""), "\r");
  CAF_CHECK_EQUAL(json_reader{enter}.integer("windowsVirtualKeyCode").value_or(0), 13);
  json_document tab{ok(R"({"type":"keydown","key":"Tab"})").params_json};
  CAF_CHECK_EQUAL(json_reader{tab}.text("type").value_or(""), "rawKeyDown");
  json_document up{ok(R"({"type":"keyup","key":"a"})").params_json};
  CAF_CHECK_EQUAL(json_reader{up}.text("type").value_or(""), "keyUp");
  CAF_CHECK(json_reader{up}.any("text") == nullptr);
  CAF_CHECK_EQUAL(ok(R"({"type":"text","text":"héllo"})").method, "Input.insertText");
}

CAF_TEST(what the page cannot perform is refused with a reason) {
  CAF_CHECK_EQUAL(refused("[]"), "event must be a JSON object");
  CAF_CHECK(!refused(R"({"type":"drag"})").empty());
  CAF_CHECK_EQUAL(refused(R"({"type":"mousedown","x":1})"),
                  "a mouse event needs numbers x and y");
  CAF_CHECK_EQUAL(refused(R"({"type":"mousedown","x":-1,"y":3})"),
                  "x and y must be within the frame");
  CAF_CHECK_EQUAL(refused(R"({"type":"mousedown","x":1,"y":3,"button":"back"})"),
                  "button must be none, left, middle or right");
  CAF_CHECK(!refused(R"({"type":"keydown"})").empty());
  CAF_CHECK(!refused(R"({"type":"text","text":""})").empty());
  CAF_CHECK(!refused(R"({"type":"text","text":")" + std::string(1001, 'x') + R"("})").empty());
}
