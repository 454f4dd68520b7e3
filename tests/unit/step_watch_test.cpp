#define CAF_SUITE step_watch

#include "actors/step_watch.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;
using verdict = step_watch::verdict;

namespace {

watched_call click(std::string_view arguments, std::string_view digest = "a1:40@0,0",
                   bool ok = true) {
  watched_call call;
  call.tool = "click";
  call.arguments_json = arguments;
  call.url = "http://127.0.0.1:8000/login";
  call.page_digest = digest;
  call.ok = ok;
  call.output = ok ? "clicked" : "no element matches Sign in";
  return call;
}

} // namespace

CAF_TEST(the same call on an unchanged page nudges then stops) {
  step_watch watch{{3, 5, 0}};
  CAF_CHECK(watch.observe(click(R"({"target":"Sign in"})")) == verdict::go_on);
  // Key order and spacing do not make it another action.
  CAF_CHECK(watch.observe(click(R"({ "target" : "Sign   in" })")) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"Sign in"})")) == verdict::nudge);
  CAF_CHECK_EQUAL(watch.repeats(), 3u);
  CAF_CHECK_EQUAL(watch.repeated_action(), R"(click {"target":"Sign in"})");
  auto told = watch.nudge_message("http://127.0.0.1:8000/login");
  CAF_CHECK_NOT_EQUAL(told.find("repeating yourself"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(told.find("3 times on http://127.0.0.1:8000/login"),
                      std::string::npos);
  CAF_CHECK(watch.observe(click(R"({"target":"Sign in"})")) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"Sign in"})")) == verdict::loop_detected);
  CAF_CHECK_EQUAL(watch.repeats(), 5u);
}

CAF_TEST(a page that changes is no loop) {
  step_watch watch{{2, 3, 0}};
  CAF_CHECK(watch.observe(click(R"({"target":"Next"})", "a1:40@0,0")) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"Next"})", "b2:41@0,0")) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"Next"})", "c3:42@0,0")) == verdict::go_on);
  // Scrolled elsewhere is another page state too.
  CAF_CHECK(watch.observe(click(R"({"target":"Next"})", "c3:42@0,800")) == verdict::go_on);
  // Another action on the same page neither.
  CAF_CHECK(watch.observe(click(R"({"target":"Back"})", "c3:42@0,800")) == verdict::go_on);
  // A call that did not act on a page (no digest) never counts.
  auto ask = click(R"({"question":"which?"})", "");
  ask.tool = "ask_user";
  for (int i = 0; i < 4; ++i)
    CAF_CHECK(watch.observe(ask) == verdict::go_on);
}

CAF_TEST(failures in a row end the run and a success starts the count again) {
  step_watch watch{{0, 0, 3}};
  CAF_CHECK(watch.observe(click(R"({"target":"A"})", "d", false)) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"B"})", "d", false)) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"C"})", "d", true)) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"D"})", "d", false)) == verdict::go_on);
  // A person's rejection is neither a failure nor a success.
  auto rejected = click(R"({"target":"E"})", "d", false);
  rejected.rejected = true;
  CAF_CHECK(watch.observe(rejected) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"F"})", "d", false)) == verdict::go_on);
  CAF_CHECK(watch.observe(click(R"({"target":"G"})", "d", false))
            == verdict::too_many_failures);
  auto summary = watch.failure_summary();
  CAF_CHECK_EQUAL(summary.find("3 tool calls failed in a row:"), 0u);
  CAF_CHECK_NOT_EQUAL(summary.find(R"(click {"target":"D"}: no element matches)"),
                      std::string::npos);
  CAF_CHECK_EQUAL(summary.find(R"("target":"A")"), std::string::npos);
}

CAF_TEST(zero limits never end a run) {
  step_watch watch{{0, 0, 0}};
  for (int i = 0; i < 20; ++i)
    CAF_CHECK(watch.observe(click(R"({"target":"X"})", "d", false)) == verdict::go_on);
}

CAF_TEST(normalised input sorts keys and collapses spaces at every depth) {
  CAF_CHECK_EQUAL(step_watch::normalised_input(R"({"b":1,"a":{"d":" x  y ","c":[true,null]}})"),
                  R"({"a":{"c":[true,null],"d":"x y"},"b":1})");
  CAF_CHECK_EQUAL(step_watch::normalised_input("not  json "), "not json");
}
