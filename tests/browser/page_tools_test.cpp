#define CAF_SUITE page_tools

#include "actors/tool_call.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "page_fixture.hpp"

using namespace agenttheo;
using namespace agenttheo::testing;
using fixture = page_fixture;

CAF_TEST_FIXTURE_SCOPE(page_tool_tests, fixture)

CAF_TEST(navigation reading and history) {
  auto opened = open("index.html");
  CAF_REQUIRE(opened.ok);
  CAF_CHECK_EQUAL(opened.output, "opened " + pages.url("index.html")
                                   + "; title: \"AgentTheo test page\"");
  CAF_CHECK_EQUAL(opened.url, pages.url("index.html"));
  CAF_CHECK_EQUAL(tool("get_title").output, "AgentTheo test page");
  auto text = tool("get_page_text");
  CAF_CHECK(text.ok && contains(text.output, "Nothing clicked yet."));
  auto links = tool("get_links");
  CAF_CHECK(contains(links.output, "Open the form -> " + pages.url("form.html")));
  auto elements = tool("get_interactive_elements");
  CAF_CHECK(contains(elements.output, "[1] button \"Press me\""));
  CAF_CHECK(contains(elements.output, "a \"About us\""));
  auto about = tool("click", R"({"target":"About us"})");
  CAF_CHECK(about.ok);
  CAF_CHECK(tool("wait_for", R"({"text":"drives this page"})").ok);
  CAF_CHECK_EQUAL(tool("get_title").output, "About");
  auto back = tool("go_back");
  CAF_CHECK(back.ok);
  CAF_CHECK(contains(back.output, "AgentTheo test page"));
  auto again = tool("reload");
  CAF_CHECK(again.ok && contains(again.output, "reloaded"));
}

CAF_TEST(click by number selector and text) {
  CAF_REQUIRE(open("index.html").ok);
  tool("get_interactive_elements");
  auto by_number = tool("click", R"({"target":"1"})");
  CAF_CHECK(by_number.ok);
  CAF_CHECK(contains(tool("get_page_text").output, "The button was clicked."));
  CAF_CHECK(tool("click", R"({"target":"#go"})").ok);
  auto missing = tool("click", R"({"target":"No such thing"})");
  CAF_CHECK(!missing.ok);
  CAF_CHECK(contains(missing.output, "no element matches"));
}

CAF_TEST(typing into a labelled field and submitting) {
  CAF_REQUIRE(open("form.html").ok);
  auto typed = tool("type_text", R"({"target":"Name","text":"Ada","submit":true})");
  CAF_CHECK(typed.ok);
  CAF_CHECK(contains(typed.output, "typed \"Ada\" into input#name"));
  auto seen = tool("wait_for", R"({"text":"Hello, Ada","timeout_ms":3000})");
  CAF_CHECK(seen.ok);
  auto scrolled = tool("scroll", R"({"direction":"down"})");
  CAF_CHECK(scrolled.ok);
  CAF_CHECK(tool("press_key", R"({"key":"Tab"})").ok);
  CAF_CHECK(!tool("press_key", R"({"key":"Hyper"})").ok);
  auto late = tool("wait_for", R"({"selector":"#never","timeout_ms":200})");
  CAF_CHECK(!late.ok);
}

CAF_TEST(an alert is dismissed and reported) {
  CAF_REQUIRE(open("index.html").ok);
  auto warned = tool("click", R"({"target":"Warn me"})");
  CAF_CHECK(warned.ok);
  CAF_CHECK(contains(warned.output, "dismissed a dialog: \"careful now\""));
  CAF_CHECK(contains(tool("get_page_text").output, "Alert closed."));
}

CAF_TEST(slow and never finishing pages) {
  auto slow = open("slow");
  CAF_CHECK(slow.ok);
  CAF_CHECK(contains(slow.output, "\"Slow page\""));
  CAF_CHECK(!contains(slow.output, "still loading"));
  auto never = open("never");
  CAF_CHECK(never.ok);
  CAF_CHECK(contains(never.output, "still loading"));
  CAF_CHECK_EQUAL(tool("get_title").output, "Never done");
}

CAF_TEST(the navigation policy refuses forbidden targets) {
  auto denied = "http://127.0.0.2:" + std::to_string(pages.port) + "/index.html";
  for (std::string url : {std::string{"file:///etc/passwd"}, std::string{"chrome://settings"},
                          std::string{"javascript:alert(1)"},
                          std::string{"data:text/html,hi"}, denied}) {
    auto r = tool("navigate_to", R"({"url":")" + url + R"("})");
    CAF_CHECK(!r.ok);
    CAF_CHECK(contains(r.output, "refused"));
  }
  // (169.254/16 and the other address rules are unit tests of the policy,
  // tests/unit/egress_policy_test.cpp, with no traffic.)
}

CAF_TEST(the egress proxy refuses where a redirect leads) {
  auto denied = "http://127.0.0.2:" + std::to_string(pages.port) + "/index.html";
  auto r = open("redirect?to=" + denied);
  CAF_CHECK(!r.ok);
  CAF_CHECK_EQUAL(r.output, "could not open " + pages.url("redirect?to=" + denied)
                              + ": blocked by the egress policy: 127.0.0.2 is "
                                "denied by configuration");
  CAF_CHECK_EQUAL(r.error_code, "egress_blocked");
  // (Chromium may ask for the refused origin's favicon too.)
  CAF_CHECK_GREATER_OR_EQUAL(proxy.journal()->blocked_total(), 1u);
}

CAF_TEST(an https refusal is explained from the proxy journal) {
  // Chromium shows nothing of a refused CONNECT but
  // net::ERR_TUNNEL_CONNECTION_FAILED: the reason comes from the journal.
  auto url = "https://denied.test:" + std::to_string(pages.port) + "/";
  auto r = tool("navigate_to", R"({"url":")" + url + R"("})");
  CAF_CHECK(!r.ok);
  CAF_CHECK_EQUAL(r.output, "could not open " + url
                              + ": blocked by the egress policy: denied.test "
                                "resolves to 127.0.0.2, which is denied by "
                                "configuration");
  CAF_CHECK_EQUAL(r.error_code, "egress_blocked");
}

CAF_TEST(screenshots are JPEG and unknown tools fail) {
  CAF_REQUIRE(open("index.html").ok);
  auto shot = tool("take_screenshot");
  CAF_REQUIRE(shot.ok);
  CAF_CHECK_EQUAL(shot.image_base64.rfind("/9j/", 0), 0u);
  CAF_CHECK_EQUAL(shot.url, pages.url("index.html"));
  auto nope = tool("fly_away");
  CAF_CHECK(!nope.ok);
  CAF_CHECK_EQUAL(nope.output, "unknown tool fly_away");
}

CAF_TEST(after Chromium dies the next tool gets a fresh page) {
  CAF_REQUIRE(open("index.html").ok);
  std::int64_t pid = -1;
  self->request(brw, 10s, browser_pid_atom::value)
    .receive([&](std::int64_t p) { pid = p; },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_REQUIRE_GREATER(pid, 0);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  // Until the browser actor has seen it die (a fixed sleep lost that race
  // under ctest -j2): the tool after that is the one that gets a fresh page.
  for (int i = 0; i < 250 && pid > 0; ++i) {
    std::this_thread::sleep_for(20ms);
    self->request(brw, 10s, browser_pid_atom::value)
      .receive([&](std::int64_t p) { pid = p; },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  }
  CAF_REQUIRE_EQUAL(pid, -1);
  auto after = open("about.html");
  CAF_CHECK(after.ok);
  CAF_CHECK_EQUAL(tool("get_title").output, "About");
}

CAF_TEST(a tool call reports start and end and enforces its timeout) {
  struct seen {
    std::vector<tool_started> started;
    std::vector<tool_finished> finished;
  };
  auto log = std::make_shared<seen>();
  auto session = sys.spawn([log](caf::event_based_actor*) -> caf::behavior {
    return {
      [log](tool_started& x) { log->started.push_back(std::move(x)); },
      [log](tool_finished& x) { log->finished.push_back(std::move(x)); },
    };
  });
  auto wait_done = [&](std::size_t n) {
    for (int i = 0; i < 500 && log->finished.size() < n; ++i)
      std::this_thread::sleep_for(20ms);
  };
  sys.spawn(tool_call_actor, session, std::uint64_t{7},
            tool_call{"call_1", "navigate_to",
                      R"({"url":")" + pages.url("index.html") + R"("})"},
            pg, std::chrono::milliseconds{30'000}, std::string{"s-test"});
  wait_done(1);
  CAF_REQUIRE_EQUAL(log->finished.size(), 1u);
  CAF_REQUIRE_EQUAL(log->started.size(), 1u);
  CAF_CHECK_EQUAL(log->started[0].call_id, "call_1");
  CAF_CHECK_EQUAL(log->started[0].run, 7u);
  auto& done = log->finished[0];
  CAF_CHECK(done.ok);
  CAF_CHECK_EQUAL(done.name, "navigate_to");
  CAF_CHECK(contains(done.output, "AgentTheo test page"));
  CAF_CHECK_GREATER(done.duration_ms, 0u);
  sys.spawn(tool_call_actor, session, std::uint64_t{7},
            tool_call{"call_2", "wait_for", R"({"text":"never","timeout_ms":3000})"},
            pg, std::chrono::milliseconds{300}, std::string{"s-test"});
  wait_done(2);
  CAF_REQUIRE_EQUAL(log->finished.size(), 2u);
  CAF_CHECK(!log->finished[1].ok);
  CAF_CHECK_EQUAL(log->finished[1].output, "timed out after 300 ms");
  // Cancelled: killed before it answers, it reports nothing (the session
  // reports the cancel).
  auto cancelled = sys.spawn(tool_call_actor, session, std::uint64_t{7},
                             tool_call{"call_3", "wait_for",
                                       R"({"text":"never","timeout_ms":2000})"},
                             pg, std::chrono::milliseconds{30'000}, std::string{"s-test"});
  std::this_thread::sleep_for(100ms);
  caf::anon_send_exit(cancelled, caf::exit_reason::kill);
  std::this_thread::sleep_for(2500ms);
  CAF_CHECK_EQUAL(log->started.size(), 3u);
  CAF_CHECK_EQUAL(log->finished.size(), 2u);
  caf::anon_send_exit(session, caf::exit_reason::kill);
}

CAF_TEST_FIXTURE_SCOPE_END()
