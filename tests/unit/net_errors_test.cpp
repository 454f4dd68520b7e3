#define CAF_SUITE net_errors

#include "browser/net_errors.hpp"
#include "util/url_parts.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(known codes read as sentences about the address) {
  CAF_CHECK_EQUAL(describe_net_error("net::ERR_UNSAFE_PORT", "http://127.0.0.1:1/"),
                  "port 1 is blocked by the browser as unsafe");
  CAF_CHECK_EQUAL(
    describe_net_error("net::ERR_CONNECTION_REFUSED", "http://127.0.0.1:9/x"),
    "the site refused the connection (nothing listens on 127.0.0.1 port 9)");
  CAF_CHECK_EQUAL(describe_net_error("net::ERR_CONNECTION_REFUSED",
                                     "https://localhost/"),
                  "the site refused the connection (nothing listens on "
                  "localhost port 443)");
  CAF_CHECK_EQUAL(describe_net_error("net::ERR_NAME_NOT_RESOLVED",
                                     "https://user@shop.test:8443/a?b"),
                  "no address is known for shop.test");
}

CAF_TEST(an unknown code is named) {
  CAF_CHECK_EQUAL(describe_net_error("net::ERR_SOMETHING_NEW", "http://a/"),
                  "the browser could not open it (net::ERR_SOMETHING_NEW)");
}

CAF_TEST(an address splits into the host and port as written) {
  auto a = split_authority("http://user@[::1]:8080/x?y");
  CAF_CHECK_EQUAL(a.host, "[::1]");
  CAF_CHECK_EQUAL(a.port, "8080");
  auto b = split_authority("localhost:8000/demo/");
  CAF_CHECK_EQUAL(b.host, "localhost");
  CAF_CHECK_EQUAL(b.port, "8000");
  auto c = split_authority("https://example.com/a:b");
  CAF_CHECK_EQUAL(c.host, "example.com");
  CAF_CHECK_EQUAL(c.port, "");
  CAF_CHECK_EQUAL(split_authority("http://[::1/").host, "");
  CAF_CHECK(is_loopback_host("127.0.0.9") && is_loopback_host("[::1]"));
  CAF_CHECK(!is_loopback_host("127.evil.example"));
}
