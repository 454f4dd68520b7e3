#pragma once

// What the real-Chromium page suites share: the fixture pages served on
// loopback, the egress proxy the server runs, a browser actor and one page
// actor, and a call of a tool on it.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <caf/all.hpp>
#include <caf/test/unit_test.hpp>

#include "actors/message_types.hpp"
#include "actors/page.hpp"
#include "http/egress_proxy.hpp"
#include "messages/messages.hpp"

namespace agenttheo::testing {

using namespace std::chrono_literals;

/// tests/browser/page_server.py in a child process, for the test's life.
struct page_server {
  FILE* pipe = nullptr;
  int port = 0;

  page_server() {
    pipe = popen("exec /usr/bin/python3 " AGENTTHEO_TEST_DIR "/page_server.py", "r");
    CAF_REQUIRE(pipe != nullptr);
    CAF_REQUIRE(std::fscanf(pipe, "%d", &port) == 1);
  }

  ~page_server() {
    // popen's child: closing the pipe waits for it, so stop it first.
    std::system(("pkill -f 'page_server.py' -P " + std::to_string(getpid())).c_str());
    pclose(pipe);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/" + path;
  }
};

inline caf::actor_system_config& configured(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  return cfg;
}

/// The egress proxy the server runs for its browser, with the page's
/// policy, and a dead upstream beyond loopback.
inline http::egress_proxy_settings proxy_settings(const egress_policy& policy) {
  http::egress_proxy_settings settings;
  settings.policy = policy;
  settings.upstream_host = "127.0.0.1";
  settings.upstream_port = 9;
  // A name for the denied loopback address, resolved by the proxy alone;
  // no other name is looked up (Chromium calls home through the proxy,
  // and a DNS query would leave this machine).
  settings.host_map = {{"denied.test", "127.0.0.2"},
                       {"localhost", "127.0.0.1"},
                       {"*", std::string{not_found_rule}}};
  return settings;
}

inline egress_policy test_policy() {
  egress_policy policy;
  // A loopback address refused by the deny list stands for every refused
  // host: no test sends the browser off this machine, even to be refused.
  policy.denied_hosts = {"127.0.0.2"};
  return policy;
}

inline browser_settings proxied(const http::egress_proxy& proxy) {
  browser_settings settings;
  settings.proxy_server = proxy.url();
  return settings;
}

struct page_fixture {
  page_server pages;
  http::egress_proxy proxy{proxy_settings(test_policy())};
  bool proxy_started = !proxy.start().has_value();
  caf::actor_system_config cfg;
  caf::actor_system sys{configured(cfg)};
  caf::scoped_actor self{sys};
  caf::actor brw = sys.spawn(browser, proxied(proxy));
  caf::actor pg;

  page_fixture() {
    CAF_REQUIRE(proxy_started);
    page_settings settings;
    // Three times the slow page's second: with other tests loading both
    // cores (ctest -j2), 1.5 s left the slow page "still loading" once.
    settings.load_timeout = 3000ms;
    settings.policy = test_policy();
    settings.egress = proxy.journal();
    pg = sys.spawn(page, brw, settings, caf::actor{});
  }

  ~page_fixture() {
    self->send_exit(pg, caf::exit_reason::user_shutdown);
    self->wait_for(pg);
    self->send_exit(brw, caf::exit_reason::user_shutdown);
    self->wait_for(brw);
  }

  tool_result tool(const std::string& name, const std::string& args = "{}") {
    tool_result result;
    self->request(pg, 60s, tool_request{name, args})
      .receive([&](tool_result& r) { result = std::move(r); },
               [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  tool_result open(const std::string& path) {
    return tool("navigate_to", R"({"url":")" + pages.url(path) + R"("})");
  }
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace agenttheo::testing
