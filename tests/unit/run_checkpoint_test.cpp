#define CAF_SUITE run_checkpoint

#include "store/run_checkpoint.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(a waiting run reads back as it was written) {
  run_checkpoint c;
  c.messages = {{"user", "sign in", {}, {}},
                {"assistant", "", {{"c1", "navigate_to", R"({"url":"http://a/"})"}}, {}},
                {"tool", "opened", {}, "c1"}};
  c.step_results = {{"c2", "type_text", true, "typed", ""}};
  c.tools_pending = 1;
  c.calls_waiting = {{"c4", "get_title", "{}"}};
  c.approve = 24;
  c.interrupt_timeout_ms = 90'000;
  c.paused = true;
  pending_interrupt p;
  p.record.id = "int-1";
  p.record.kind = interrupt_kind::question;
  p.record.message_id = "m-1";
  p.record.step = 3;
  p.record.call_id = "c3";
  p.record.tool_name = "ask_user";
  p.record.tool_input_json = R"({"question":"size?"})";
  p.record.reason = "the agent asks: size?";
  p.record.question = "size?";
  p.record.choices = {"S", "M"};
  p.record.expires_at_ms = 1'800'000'000'000;
  p.call = {"c3", "ask_user", R"({"question":"size?"})"};
  p.remaining_ms = 4'500;
  c.interrupts = {p};
  auto back = checkpoint_from_json(checkpoint_to_json(c));
  CAF_REQUIRE(back);
  CAF_REQUIRE_EQUAL(back->messages.size(), 3u);
  CAF_CHECK_EQUAL(back->messages[1].tool_calls.at(0).arguments, R"({"url":"http://a/"})");
  CAF_CHECK_EQUAL(back->messages[2].tool_call_id, "c1");
  CAF_REQUIRE_EQUAL(back->step_results.size(), 1u);
  CAF_CHECK_EQUAL(back->step_results[0].output, "typed");
  CAF_CHECK_EQUAL(back->tools_pending, 1u);
  CAF_CHECK_EQUAL(back->calls_waiting.at(0).name, "get_title");
  CAF_CHECK_EQUAL(back->approve, 24u);
  CAF_CHECK_EQUAL(back->interrupt_timeout_ms, 90'000);
  CAF_CHECK(back->paused);
  CAF_REQUIRE_EQUAL(back->interrupts.size(), 1u);
  const auto& r = back->interrupts[0].record;
  CAF_CHECK_EQUAL(r.id, "int-1");
  CAF_CHECK(r.kind == interrupt_kind::question);
  CAF_CHECK_EQUAL(r.step, 3u);
  CAF_CHECK_EQUAL(r.tool_input_json, R"({"question":"size?"})");
  CAF_CHECK_EQUAL(r.choices, (std::vector<std::string>{"S", "M"}));
  CAF_CHECK_EQUAL(r.expires_at_ms, 1'800'000'000'000);
  CAF_CHECK_EQUAL(back->interrupts[0].call.id, "c3");
  CAF_CHECK_EQUAL(back->interrupts[0].remaining_ms, 4'500);
}

CAF_TEST(what is not a waiting run reads as none) {
  CAF_CHECK(!checkpoint_from_json(""));
  CAF_CHECK(!checkpoint_from_json("[]"));
  CAF_CHECK(!checkpoint_from_json(R"({"conversation":{"messages":[]},"interrupts":[]})"));
  CAF_CHECK(!checkpoint_from_json(
    R"({"conversation":{"messages":[]},"interrupts":[{"record":{"id":"i","kind":"x"},"call":{}}]})"));
}
