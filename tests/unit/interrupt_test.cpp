#define CAF_SUITE interrupt

#include "messages/interrupt.hpp"

#include <caf/test/unit_test.hpp>

#include "util/json_reader.hpp"

using namespace agenttheo;

namespace {

interrupt_answer parsed(std::string_view body) {
  auto got = parse_interrupt_answer(body);
  if (auto* err = std::get_if<api_error>(&got))
    CAF_FAIL("refused " << body << ": " << err->message);
  return std::get<interrupt_answer>(got);
}

std::string refusal(std::string_view body) {
  auto got = parse_interrupt_answer(body);
  auto* err = std::get_if<api_error>(&got);
  return err ? err->code : std::string{};
}

} // namespace

CAF_TEST(the event carries what a person needs to decide) {
  interrupt_record r;
  r.id = "int-1";
  r.kind = interrupt_kind::approval;
  r.message_id = "m-1";
  r.step = 2;
  r.call_id = "c-1";
  r.tool_name = "navigate_to";
  r.tool_input_json = R"({"url":"https://a.example/"})";
  r.rule = "navigate";
  r.reason = "open https://a.example/";
  r.expires_at_ms = 1234;
  json_document doc{interrupt_json(r)};
  json_reader e{doc};
  CAF_CHECK_EQUAL(e.text("interrupt_id").value_or(""), "int-1");
  CAF_CHECK_EQUAL(e.text("kind").value_or(""), "approval");
  CAF_CHECK_EQUAL(e.text("messageId").value_or(""), "m-1");
  CAF_CHECK_EQUAL(e.count("step").value_or(0), 2u);
  CAF_CHECK_EQUAL(e.object("tool_input").text("url").value_or(""), "https://a.example/");
  CAF_CHECK_EQUAL(e.integer("expires_at").value_or(0), 1234);
  CAF_CHECK_EQUAL(e.array("options")->Size(), 3u);
  CAF_CHECK(e.any("question") == nullptr);
  r.kind = interrupt_kind::question;
  r.tool_name.clear();
  r.question = "Which size?";
  r.choices = {"S", "M"};
  json_document q{interrupt_json(r)};
  json_reader question{q};
  CAF_CHECK_EQUAL(question.text("question").value_or(""), "Which size?");
  CAF_CHECK_EQUAL(question.array("choices")->Size(), 2u);
  CAF_CHECK(question.any("tool_input") == nullptr);
}

CAF_TEST(answers are read and checked against what the interrupt offers) {
  auto a = parsed(R"({"decision":"edit","input":{"url":"x"},"message":"this one"})");
  CAF_CHECK_EQUAL(a.decision, "edit");
  CAF_CHECK_EQUAL(a.input_json, R"({"url":"x"})");
  CAF_CHECK_EQUAL(a.message, "this one");
  CAF_CHECK_EQUAL(refusal("[1]"), "bad_body");
  CAF_CHECK_EQUAL(refusal("{}"), "bad_decision");
  CAF_CHECK_EQUAL(refusal(R"({"decision":5})"), "bad_body");
  CAF_CHECK_EQUAL(refusal(R"({"decision":"edit","input":"x"})"), "bad_tool_input");
  CAF_CHECK_EQUAL(refusal(R"({"decision":"answer","answer":")" + std::string(4001, 'a') + "\"}"),
                  "bad_body");
  // The limit is the one the refusal names, and an answer at it passes.
  auto too_long = parse_interrupt_answer(R"({"decision":"answer","answer":")"
                                         + std::string(4001, 'a') + "\"}");
  CAF_CHECK_EQUAL(std::get<api_error>(too_long).message,
                  "`answer` is longer than 4000 bytes");
  CAF_CHECK_EQUAL(parsed(R"({"decision":"answer","answer":")"
                         + std::string(4000, 'a') + "\"}")
                    .answer.size(),
                  4000u);
  interrupt_record approval;
  approval.kind = interrupt_kind::approval;
  CAF_CHECK(!check_answer(approval, parsed(R"({"decision":"reject"})")));
  CAF_CHECK_EQUAL(check_answer(approval, parsed(R"({"decision":"answer","answer":"x"})"))->code,
                  "bad_decision");
  CAF_CHECK_EQUAL(check_answer(approval, parsed(R"({"decision":"edit"})"))->code,
                  "bad_tool_input");
  interrupt_record question;
  question.kind = interrupt_kind::question;
  CAF_CHECK(!check_answer(question, parsed(R"({"decision":"answer","answer":"M"})")));
  CAF_CHECK_EQUAL(check_answer(question, parsed(R"({"decision":"answer"})"))->code,
                  "bad_decision");
  CAF_CHECK_EQUAL(check_answer(question, parsed(R"({"decision":"approve"})"))->code,
                  "bad_decision");
}

CAF_TEST(the resolution says who decided what) {
  interrupt_record r;
  r.id = "int-2";
  r.kind = interrupt_kind::question;
  r.message_id = "m-2";
  r.resolved = true;
  r.resolution = {"answer", {}, "M", {}, "ws"};
  json_document doc{interrupt_resolved_json(r)};
  json_reader e{doc};
  CAF_CHECK_EQUAL(e.text("decision").value_or(""), "answer");
  CAF_CHECK_EQUAL(e.text("answer").value_or(""), "M");
  CAF_CHECK_EQUAL(e.text("by").value_or(""), "ws");
  CAF_CHECK(e.any("message") == nullptr);
}
