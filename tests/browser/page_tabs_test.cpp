#define CAF_SUITE page_tabs

// A session's tabs on real Chromium: a target=_blank link and a popup
// open tabs the tools then act in; list, switch, close, open; a popup that
// closes itself; MAX_TABS.

#include "page_fixture.hpp"

using namespace agenttheo;
using namespace agenttheo::testing;

namespace {

/// A second page actor, with its own context and a limit of `max_tabs`.
caf::actor page_with(page_fixture& f, unsigned max_tabs) {
  page_settings settings;
  settings.load_timeout = 3000ms;
  settings.policy = test_policy();
  settings.egress = f.proxy.journal();
  settings.max_tabs = max_tabs;
  return f.sys.spawn(page, f.brw, settings, caf::actor{});
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(page_tabs_tests, page_fixture)

CAF_TEST(a new tab from a link is where the tools act) {
  CAF_REQUIRE(open("tabs.html").ok);
  auto first = tool("get_title");
  CAF_CHECK_EQUAL(first.output, "Tabs");
  CAF_CHECK_EQUAL(first.tab, 1u);
  CAF_CHECK(tool("click", R"({"target":"#blank"})").ok);
  // The next tool sees the new tab and acts in it.
  auto title = tool("get_title");
  CAF_CHECK_EQUAL(title.output, "About");
  CAF_CHECK_EQUAL(title.tab, 2u);
  auto listed = tool("list_tabs");
  CAF_CHECK_EQUAL(listed.output,
                  "tab 1: \"Tabs\" " + pages.url("tabs.html") + "\n"
                  "tab 2: \"About\" " + pages.url("about.html") + " (active)");
  auto back = tool("switch_tab", R"({"tab":1})");
  CAF_CHECK(back.ok);
  CAF_CHECK(!back.image_base64.empty()); // a screenshot of the tab now shown
  CAF_CHECK_EQUAL(tool("get_title").output, "Tabs");
  auto closed = tool("close_tab", R"({"tab":2})");
  CAF_CHECK(closed.ok);
  CAF_CHECK(contains(closed.output, "closed tab 2"));
  CAF_CHECK_EQUAL(tool("list_tabs").output,
                  "tab 1: \"Tabs\" " + pages.url("tabs.html") + " (active)");
  auto last = tool("close_tab", R"({"tab":1})");
  CAF_CHECK(!last.ok);
  CAF_CHECK(contains(last.output, "only tab"));
  CAF_CHECK(!tool("switch_tab", R"({"tab":9})").ok);
  auto opened = tool("open_tab", R"({"url":")" + pages.url("form.html") + R"("})");
  CAF_CHECK(opened.ok);
  CAF_CHECK_EQUAL(opened.tab, 3u);
  CAF_CHECK_EQUAL(tool("get_title").output, "Form");
  // The policy holds for new tabs as for navigate_to.
  auto refused = tool("open_tab", R"({"url":"http://denied.test/"})");
  CAF_CHECK(!refused.ok);
  CAF_CHECK(contains(refused.output, "denied"));
}

CAF_TEST(a popup that closes itself leaves the tab before it active) {
  CAF_REQUIRE(open("tabs.html").ok);
  CAF_CHECK(tool("click", R"({"target":"#popup"})").ok);
  CAF_CHECK_EQUAL(tool("get_title").output, "Closing soon");
  CAF_CHECK(tool("click", R"({"target":"#close"})").ok);
  auto title = tool("get_title");
  CAF_CHECK_EQUAL(title.output, "Tabs");
  CAF_CHECK_EQUAL(title.tab, 1u);
  CAF_CHECK(!contains(tool("list_tabs").output, "tab 2"));
}

CAF_TEST(tabs past the limit are closed and refused) {
  auto pg2 = page_with(*this, 2);
  auto call = [&](const std::string& name, const std::string& args) {
    tool_result result;
    self->request(pg2, 60s, tool_request{name, args})
      .receive([&](tool_result& r) { result = std::move(r); },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  };
  CAF_REQUIRE(call("navigate_to", R"({"url":")" + pages.url("tabs.html") + R"("})").ok);
  CAF_CHECK(call("click", R"({"target":"#blank"})").ok);
  CAF_CHECK(call("switch_tab", R"({"tab":1})").ok);
  // A third tab: the popup is closed again at once.
  CAF_CHECK(call("click", R"({"target":"#popup"})").ok);
  auto listed = call("list_tabs", "{}");
  CAF_CHECK(contains(listed.output, "tab 2"));
  CAF_CHECK(!contains(listed.output, "Closing soon"));
  auto full = call("open_tab", R"({"url":")" + pages.url("about.html") + R"("})");
  CAF_CHECK(!full.ok);
  CAF_CHECK(contains(full.output, "MAX_TABS"));
  self->send_exit(pg2, caf::exit_reason::user_shutdown);
  self->wait_for(pg2);
}

CAF_TEST_FIXTURE_SCOPE_END()
