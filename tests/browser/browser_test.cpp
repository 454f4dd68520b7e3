#define CAF_SUITE browser

#include "actors/browser.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <caf/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "actors/message_types.hpp"
#include "messages/messages.hpp"
#include "offline_browser.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

caf::actor_system_config& configured(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  return cfg;
}

// Real Chromium, real actor system: no deterministic scheduler here.
struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{configured(cfg)};
  caf::scoped_actor self{sys};
  caf::actor brw;

  explicit fixture(std::chrono::milliseconds timeout = 30s,
                   std::size_t pool = browser_options{}.pool,
                   std::size_t max_contexts = browser_options{}.max_contexts) {
    auto settings = offline_browser();
    settings.request_timeout = timeout;
    settings.pool = pool;
    settings.max_contexts = max_contexts;
    brw = sys.spawn(browser, settings);
  }

  ~fixture() {
    self->send_exit(brw, caf::exit_reason::user_shutdown);
    self->wait_for(brw);
  }

  page_handle open() {
    page_handle result;
    self->request(brw, 60s, open_page_atom::value)
      .receive([&](page_handle& h) { result = std::move(h); },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  cdp_result call(const std::string& session, const std::string& method,
                  const std::string& params = "{}") {
    cdp_result result;
    self->request(brw, 60s, cdp_call{session, method, params})
      .receive([&](cdp_result& r) { result = std::move(r); },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  /// `expression` evaluated in the page, as a string.
  std::string eval(const std::string& session, const std::string& expression) {
    auto r = call(session, "Runtime.evaluate",
                  R"({"expression":")" + expression + R"(","returnByValue":true})");
    CAF_REQUIRE(r.ok);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    auto& value = doc["result"]["value"];
    return value.IsString() ? value.GetString() : "";
  }

  /// The ids of the page targets Chromium has open.
  std::vector<std::string> page_targets() {
    auto r = call("", "Target.getTargets", "{}");
    CAF_REQUIRE(r.ok);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    std::vector<std::string> ids;
    for (auto& info : doc["targetInfos"].GetArray())
      if (std::string{info["type"].GetString()} == "page")
        ids.emplace_back(info["targetId"].GetString());
    return ids;
  }

  /// Waits (up to 15 s) for Chromium to have `count` pages open.
  bool pages_become(std::size_t count) {
    for (int i = 0; i < 150; ++i) {
      if (page_targets().size() == count)
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::int64_t pid() {
    std::int64_t result = -1;
    self->request(brw, 10s, browser_pid_atom::value)
      .receive([&](std::int64_t p) { result = p; },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }
};

/// An evaluation Chromium never answers.
const std::string never_resolves
  = R"js({"expression":"new Promise(() => {})","awaitPromise":true})js";

/// Live (not zombie) processes whose process group is `group`.
int live_members(std::int64_t group) {
  int count = 0;
  for (auto& entry : std::filesystem::directory_iterator{"/proc"}) {
    std::ifstream stat{entry.path() / "stat"};
    std::string line;
    if (!std::getline(stat, line))
      continue;
    // pid (comm) state ppid pgrp ...; comm may hold spaces, so cut after ')'.
    std::istringstream rest{line.substr(line.rfind(')') + 2)};
    char state = 0;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == group && state != 'Z' && state != 'X')
      ++count;
  }
  return count;
}

/// Waits a little for SIGKILL to take effect everywhere.
bool all_gone(std::int64_t group) {
  for (int i = 0; i < 100; ++i) {
    if (live_members(group) == 0)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

/// The directories a running Chromium keeps files in: its profile (from
/// its command line) and, once it has made it, the directory of its
/// singleton socket (where the profile's `SingletonSocket` link points).
std::vector<std::filesystem::path> chromium_dirs(std::int64_t pid) {
  std::ifstream cmdline{"/proc/" + std::to_string(pid) + "/cmdline"};
  std::string arg;
  const std::string flag = "--user-data-dir=";
  std::vector<std::filesystem::path> dirs;
  while (std::getline(cmdline, arg, '\0'))
    if (arg.rfind(flag, 0) == 0)
      dirs.emplace_back(arg.substr(flag.size()));
  if (dirs.empty())
    return dirs;
  std::error_code ec;
  for (int i = 0; i < 100; ++i) {
    auto socket = std::filesystem::read_symlink(dirs[0] / "SingletonSocket", ec);
    if (!ec) {
      dirs.push_back(socket.parent_path());
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  return dirs;
}

bool alive(std::int64_t pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

} // namespace

CAF_TEST(a page in its own context loads and answers) {
  fixture f;
  auto page = f.open();
  CAF_REQUIRE(page.ok);
  CAF_CHECK(!page.context_id.empty());
  CAF_CHECK(!page.cdp_target.empty());
  auto nav = f.call(page.cdp_target, "Page.navigate",
                    R"({"url":"data:text/html,<title>Hello CDP</title><p>hi</p>"})");
  CAF_REQUIRE(nav.ok);
  std::string title;
  for (int i = 0; i < 100 && title != "Hello CDP"; ++i) {
    title = f.eval(page.cdp_target, "document.title");
    std::this_thread::sleep_for(20ms);
  }
  CAF_CHECK_EQUAL(title, "Hello CDP");
  auto bad = f.call(page.cdp_target, "No.suchMethod");
  CAF_CHECK(!bad.ok);
  CAF_CHECK_NOT_EQUAL(bad.body.find("wasn't found"), std::string::npos);
}

CAF_TEST(browser contexts keep cookies apart) {
  fixture f;
  auto a = f.open();
  auto b = f.open();
  CAF_REQUIRE(a.ok && b.ok);
  CAF_CHECK_NOT_EQUAL(a.context_id, b.context_id);
  auto set = f.call(a.cdp_target, "Network.setCookie",
                    R"({"name":"who","value":"a","url":"http://isolation.test/"})");
  CAF_REQUIRE(set.ok);
  auto count = [&](const page_handle& p) {
    auto r = f.call(p.cdp_target, "Network.getCookies",
                    R"({"urls":["http://isolation.test/"]})");
    CAF_REQUIRE(r.ok);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    return doc["cookies"].Size();
  };
  CAF_CHECK_EQUAL(count(a), 1u);
  CAF_CHECK_EQUAL(count(b), 0u);
}

CAF_TEST(a request without an answer times out) {
  fixture f{500ms};
  auto page = f.open();
  CAF_REQUIRE(page.ok);
  auto started = std::chrono::steady_clock::now();
  auto r = f.call(page.cdp_target, "Runtime.evaluate",
                  never_resolves);
  CAF_CHECK(!r.ok);
  CAF_CHECK_EQUAL(r.body, "Chromium did not answer in time");
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - started, 5s);
}

CAF_TEST(a killed Chromium fails what is in flight and starts again) {
  fixture f;
  auto page = f.open();
  CAF_REQUIRE(page.ok);
  auto first = f.pid();
  CAF_REQUIRE_GREATER(first, 0);
  auto pending = f.self->request(
    f.brw, 30s,
    cdp_call{page.cdp_target, "Runtime.evaluate",
             never_resolves});
  std::this_thread::sleep_for(200ms);
  ::kill(static_cast<pid_t>(first), SIGKILL);
  cdp_result in_flight;
  pending.receive([&](cdp_result& r) { in_flight = std::move(r); },
                  [&](caf::error& err) { CAF_FAIL(f.sys.render(err)); });
  CAF_CHECK(!in_flight.ok);
  CAF_CHECK_EQUAL(in_flight.body, "Chromium exited");
  auto again = f.open();
  CAF_REQUIRE(again.ok);
  auto second = f.pid();
  CAF_CHECK_GREATER(second, 0);
  CAF_CHECK_NOT_EQUAL(second, first);
  CAF_CHECK(!alive(first));
}

CAF_TEST(new pages come from contexts made ahead within the limit) {
  fixture f{30s, 2, 2};
  auto first = f.open();
  CAF_REQUIRE(first.ok);
  // Spares are made once Chromium runs, a second after; the limit (2)
  // leaves room for one beside the page in use. (Chromium's own first tab
  // is in its default context, outside the count.)
  auto in_use = f.page_targets().size();
  CAF_REQUIRE(f.pages_become(in_use + 1));
  std::this_thread::sleep_for(1500ms);
  CAF_CHECK_EQUAL(f.page_targets().size(), in_use + 1);
  auto made_ahead = f.page_targets();
  auto second = f.open();
  CAF_REQUIRE(second.ok);
  CAF_CHECK_EQUAL(std::count(made_ahead.begin(), made_ahead.end(), second.target_id), 1);
  CAF_CHECK_NOT_EQUAL(second.target_id, first.target_id);
  // A spare is attached and watched: it answers at once.
  CAF_CHECK_EQUAL(f.eval(second.cdp_target, "location.href"), "about:blank");
  // A killed Chromium takes its spares along; the next page comes from a
  // new one, and the pool fills again there.
  auto old = f.pid();
  ::kill(static_cast<pid_t>(old), SIGKILL);
  for (int i = 0; i < 100 && f.pid() == old; ++i)
    std::this_thread::sleep_for(50ms);
  auto third = f.open();
  CAF_REQUIRE(third.ok);
  CAF_CHECK_NOT_EQUAL(f.pid(), old);
  // As before the kill: Chromium's own tab, the page and one spare. (Not
  // "one more than now": the spare may already be there.)
  CAF_CHECK(f.pages_become(in_use + 1));
}

CAF_TEST(no Chromium outlives the browser actor) {
  std::int64_t pid = -1;
  std::vector<std::filesystem::path> dirs;
  {
    fixture f;
    CAF_REQUIRE(f.open().ok);
    pid = f.pid();
    CAF_REQUIRE_GREATER(pid, 0);
    dirs = chromium_dirs(pid);
    CAF_REQUIRE_EQUAL(dirs.size(), 2u);
    CAF_REQUIRE(std::filesystem::exists(dirs[1]));
  }
  CAF_CHECK(!alive(pid));
  // Nor any process of its group (renderers, zygote).
  CAF_CHECK(all_gone(pid));
  // Nor its files: a killed Chromium removes none, its profile and its
  // singleton socket's directory (in /tmp, were TMPDIR not the profile)
  // go with the actor.
  for (auto& dir : dirs) {
    CAF_MESSAGE("checking " << dir.string());
    CAF_CHECK(!std::filesystem::exists(dir));
  }
}

CAF_TEST(past the context limit a page is refused or waits) {
  caf::actor_system_config cfg;
  caf::actor_system sys{configured(cfg)};
  caf::scoped_actor self{sys};
  auto open_on = [&](const caf::actor& b) {
    page_handle h;
    self->request(b, 60s, open_page_atom::value)
      .receive([&](page_handle& x) { h = std::move(x); },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return h;
  };
  auto refusing = offline_browser();
  refusing.max_contexts = 2;
  refusing.wait_when_full = false;
  auto strict = sys.spawn(browser, refusing);
  CAF_CHECK(open_on(strict).ok);
  CAF_CHECK(open_on(strict).ok);
  auto third = open_on(strict);
  CAF_CHECK(!third.ok);
  CAF_CHECK_EQUAL(third.error,
                  "all 2 browser contexts are in use by running sessions");
  auto waiting = offline_browser();
  waiting.max_contexts = 1;
  auto patient = sys.spawn(browser, waiting);
  auto first = open_on(patient);
  CAF_REQUIRE(first.ok);
  auto second = self->request(patient, 60s, open_page_atom::value);
  std::this_thread::sleep_for(300ms);
  self->send(patient, close_page_atom::value, first.context_id, first.cdp_target);
  page_handle later;
  second.receive([&](page_handle& x) { later = std::move(x); },
                 [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK(later.ok);
  CAF_CHECK_NOT_EQUAL(later.context_id, first.context_id);
  for (auto& b : {strict, patient}) {
    self->send_exit(b, caf::exit_reason::user_shutdown);
    self->wait_for(b);
  }
}
