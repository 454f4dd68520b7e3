#define CAF_SUITE navigation_policy

#include "browser/navigation_policy.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

bool allowed(const navigation_policy& p, const char* url) {
  return !check_navigation(p, url).has_value();
}

} // namespace

CAF_TEST(only http and https by default) {
  navigation_policy p;
  CAF_CHECK(allowed(p, "https://example.com/a?b#c"));
  CAF_CHECK(allowed(p, "http://127.0.0.1:8080/"));
  CAF_CHECK(allowed(p, "HTTP://Example.COM"));
  for (auto* url : {"file:///etc/passwd", "chrome://settings", "javascript:alert(1)",
                    "data:text/html,hi", "about:blank", "ftp://x.org/", "example.com",
                    "view-source:https://example.com"}) {
    auto why = check_navigation(p, url);
    CAF_CHECK(why.has_value());
  }
  CAF_CHECK_EQUAL(check_navigation(p, "file:///etc/passwd").value_or(""),
                  "the file: scheme is not allowed");
}

CAF_TEST(link local and metadata addresses are always refused) {
  navigation_policy p;
  p.allowed_hosts = {"169.254.169.254"};
  for (auto* url : {"http://169.254.169.254/latest/meta-data/",
                    "http://169.254.0.1/", "https://user@169.254.1.1:80/x",
                    "http://[fe80::1]/", "http://metadata.google.internal/"}) {
    auto why = check_navigation(p, url);
    CAF_REQUIRE(why.has_value());
    CAF_CHECK_NOT_EQUAL(why->find("never allowed"), std::string::npos);
  }
}

CAF_TEST(host lists match hosts and their subdomains) {
  navigation_policy p;
  p.denied_hosts = {"evil.example"};
  CAF_CHECK(!allowed(p, "https://evil.example/"));
  CAF_CHECK(!allowed(p, "https://www.evil.example./x"));
  CAF_CHECK(allowed(p, "https://notevil.example/"));
  p.allowed_hosts = {"example.org"};
  CAF_CHECK(allowed(p, "https://docs.example.org/"));
  CAF_CHECK(!allowed(p, "https://example.com/"));
}
