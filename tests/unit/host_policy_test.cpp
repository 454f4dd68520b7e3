#define CAF_SUITE host_policy

#include "protocol/host_policy.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

host_rules loopback() {
  return make_host_rules("127.0.0.1", {});
}

/// The code a Host gets: "" when answered.
std::string verdict(std::string_view host, const host_rules& rules = loopback(),
                    std::size_t headers = 1) {
  auto wrong = check_host(host, headers, rules);
  return wrong ? wrong->code : "";
}

} // namespace

// Addresses here are only inputs to the policy: nothing connects to them
// (the server under test in browser.request_gate listens on loopback).
CAF_TEST(loopback names and ip literals are answered) {
  for (auto host : {"localhost", "localhost:8000", "LOCALHOST:8000", "127.0.0.1",
                    "127.0.0.1:8000", "[::1]", "[::1]:8000", "10.1.2.3:8000"})
    CAF_CHECK_EQUAL(verdict(host), "");
}

CAF_TEST(a rebinding name is misdirected) {
  CAF_CHECK_EQUAL(verdict("evil.example:8000"), "misdirected_request");
  auto wrong = check_host("evil.example:8000", 1, loopback());
  CAF_REQUIRE(wrong);
  CAF_CHECK_EQUAL(wrong->status, 421);
  CAF_CHECK_EQUAL(wrong->message,
                  "this server does not answer to the host 'evil.example' (add it "
                  "to ALLOWED_HOSTS if it should)");
}

CAF_TEST(other spellings of an address are names and refused) {
  for (auto host : {"2130706433", "0x7f000001", "127.1", "0177.0.0.1", "127.0.0.01:8000"})
    CAF_CHECK_EQUAL(verdict(host), "misdirected_request");
}

CAF_TEST(a missing repeated or malformed host is a bad request) {
  CAF_CHECK_EQUAL(verdict("", loopback(), 0), "bad_host");
  CAF_CHECK_EQUAL(verdict("localhost", loopback(), 2), "bad_host");
  for (auto host : {"x@evil.example", "localhost.", "localhost:80a", "[::1", "[::1]x",
                    "local host", "localhost:1234567", ":8000", "a..b"})
    CAF_CHECK_EQUAL(verdict(host), "bad_host");
}

CAF_TEST(allowed hosts and a named bind host are answered) {
  auto rules = make_host_rules("agents.internal", {"Agents.Example.org", "ui"});
  CAF_CHECK_EQUAL(verdict("agents.internal:8000", rules), "");
  CAF_CHECK_EQUAL(verdict("agents.example.org", rules), "");
  CAF_CHECK_EQUAL(verdict("UI:8000", rules), "");
  CAF_CHECK_EQUAL(verdict("localhost", rules), "");
  CAF_CHECK_EQUAL(verdict("sub.agents.example.org", rules), "misdirected_request");
  // A wildcard bind adds no name.
  CAF_CHECK_EQUAL(make_host_rules("0.0.0.0", {}).names.size(), 1u);
}
