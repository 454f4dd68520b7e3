#define CAF_SUITE rerun_script

#include "protocol/rerun_script_of.hpp"

#include <caf/test/unit_test.hpp>

#include "protocol/rerun_body.hpp"

using namespace agenttheo;

namespace {

/// A finished run's events as `GET /api/runs/{id}/events` gives them:
/// navigate, click About (a second call on the same step), then answer.
std::string recorded_run(std::string state = "finished", std::string gap = "null") {
  return R"({"session":"s-1","messageId":"m-1","state":")" + state
         + R"(","outcome":"success","last_event_id":20,"gap":)" + gap + R"(,"events":[
    {"type":"start","id":1,"data":{"session":"s-1","messageId":"m-1","command":"go and click About"}},
    {"type":"message","id":5,"data":{"role":"assistant","content":"I'll open it.","step":1,
      "tool_calls":[{"id":"c1","name":"navigate_to","arguments":"{\"url\":\"http://127.0.0.1:9/\"}"}]}},
    {"type":"update","id":6,"data":{"step":1,"node":"agent","state":{"url":"http://wrong/"}}},
    {"type":"update","id":9,"data":{"step":1,"node":"tools","state":{"url":"http://127.0.0.1:9/"}}},
    {"type":"message","id":12,"data":{"role":"assistant","content":"I'll click About.","step":2,
      "tool_calls":[{"id":"c2","name":"click","arguments":"{\"target\":\"About\"}"},
                    {"id":"c3","name":"scroll","arguments":"{\"direction\":\"down\"}"}]}},
    {"type":"update","id":15,"data":{"step":2,"node":"tools","state":{"url":"http://127.0.0.1:9/about"}}},
    {"type":"message","id":18,"data":{"role":"assistant","content":"Done.","step":3}},
    {"type":"complete","id":20,"data":{"result":"Done."}}]})";
}

template <class T>
T ok(std::variant<T, api_error> v) {
  if (auto* err = std::get_if<api_error>(&v))
    CAF_FAIL("unexpected error " << err->code << ": " << err->message);
  return std::get<T>(std::move(v));
}

api_error err(std::variant<rerun_script, api_error> v) {
  CAF_REQUIRE(std::holds_alternative<api_error>(v));
  return std::get<api_error>(v);
}

api_error body_err(std::string_view body) {
  auto v = parse_rerun_body(body, "m-1");
  CAF_REQUIRE(std::holds_alternative<api_error>(v));
  return std::get<api_error>(v);
}

} // namespace

CAF_TEST(a recording becomes one step per model turn with the url before it) {
  auto script = ok(rerun_script_of(recorded_run()));
  CAF_CHECK_EQUAL(script.of, "m-1");
  CAF_CHECK_EQUAL(script.command, "go and click About");
  CAF_REQUIRE_EQUAL(script.steps.size(), 3u);
  CAF_CHECK_EQUAL(script.steps[0].url_before, "");
  CAF_CHECK_EQUAL(script.steps[0].tool_calls.at(0).name, "navigate_to");
  CAF_CHECK_EQUAL(script.steps[0].tool_calls.at(0).arguments,
                  R"({"url":"http://127.0.0.1:9/"})");
  // The agent node's state is not where the page was; the tools node's is.
  CAF_CHECK_EQUAL(script.steps[1].url_before, "http://127.0.0.1:9/");
  CAF_CHECK_EQUAL(script.steps[1].content, "I'll click About.");
  CAF_REQUIRE_EQUAL(script.steps[1].tool_calls.size(), 2u);
  CAF_CHECK_EQUAL(script.steps[1].tool_calls[1].id, "c3");
  CAF_CHECK_EQUAL(script.steps[2].url_before, "http://127.0.0.1:9/about");
  CAF_CHECK(script.steps[2].tool_calls.empty());
  CAF_CHECK_EQUAL(script.steps[2].content, "Done.");
}

CAF_TEST(a run that is not finished or not whole cannot be rerun) {
  CAF_CHECK_EQUAL(err(rerun_script_of(recorded_run("running"))).code, "run_not_finished");
  CAF_CHECK_EQUAL(err(rerun_script_of(recorded_run("running"))).status, 409);
  auto gap = err(rerun_script_of(recorded_run("finished", R"({"from":1,"to":4})")));
  CAF_CHECK_EQUAL(gap.code, "recording_incomplete");
  CAF_CHECK_EQUAL(gap.status, 409);
  auto no_steps = err(rerun_script_of(
    R"({"messageId":"m-2","state":"finished","gap":null,"events":[
      {"type":"start","id":1,"data":{"command":"hi"}},
      {"type":"error","id":2,"data":{"code":"llm_error"}}]})"));
  CAF_CHECK_EQUAL(no_steps.code, "recording_incomplete");
  CAF_CHECK_NOT_EQUAL(no_steps.message.find("m-2"), std::string::npos);
  CAF_CHECK_EQUAL(err(rerun_script_of("not json")).code, "recording_incomplete");
}

CAF_TEST(the rerun body takes session messageId and fallback only) {
  auto none = ok(parse_rerun_body("", "m-1"));
  CAF_CHECK_EQUAL(none.of, "m-1");
  CAF_CHECK(none.fallback == rerun_fallback::model);
  CAF_CHECK(none.session_id.empty());
  auto all = ok(parse_rerun_body(
    R"({"session":"s-9","messageId":"again-1","fallback":"fail"})", "m-1"));
  CAF_CHECK_EQUAL(all.session_id, "s-9");
  CAF_CHECK_EQUAL(all.message_id, "again-1");
  CAF_CHECK(all.fallback == rerun_fallback::fail);
  CAF_CHECK(ok(parse_rerun_body(R"({"fallback":"model"})", "m")).fallback
            == rerun_fallback::model);
  CAF_CHECK_EQUAL(body_err(R"({"fallback":"retry"})").code, "bad_body");
  CAF_CHECK_EQUAL(body_err(R"({"fallback":1})").code, "bad_body");
  CAF_CHECK_EQUAL(body_err(R"({"command":"x"})").code, "bad_body");
  CAF_CHECK_EQUAL(body_err("[1]").code, "bad_body");
  CAF_CHECK_EQUAL(body_err(R"({"session":"a b"})").code, "bad_session");
  CAF_CHECK_EQUAL(body_err(R"({"messageId":"../x"})").code, "bad_message_id");
}
