#define CAF_SUITE egress_host_rules

#include "http/egress_connection.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;
using agenttheo::http::egress_proxy_settings;
using agenttheo::http::egress_shared;

namespace {

egress_shared with_rules(
  std::vector<std::pair<std::string, std::string>> rules) {
  egress_proxy_settings settings;
  settings.host_map = std::move(rules);
  return egress_shared{std::move(settings)};
}

} // namespace

CAF_TEST(a name no rule names is left to the resolver) {
  auto shared = with_rules({{"a.test", "127.0.0.2"}});
  CAF_CHECK(!shared.rule_for("b.test").ruled);
  // A trailing dot names the same host.
  auto mapped = shared.rule_for("a.test.");
  CAF_REQUIRE(mapped.ruled && mapped.address);
  CAF_CHECK_EQUAL(mapped.address->to_string(), "127.0.0.2");
}

CAF_TEST(the first rule naming a host applies and a star names any) {
  auto shared = with_rules({{"localhost", "127.0.0.1"},
                            {"*", std::string{not_found_rule}},
                            {"late.test", "127.0.0.3"}});
  auto local = shared.rule_for("localhost");
  CAF_REQUIRE(local.ruled && local.address);
  CAF_CHECK_EQUAL(local.address->to_string(), "127.0.0.1");
  for (auto name : {"accounts.google.com", "late.test", "x"}) {
    auto rule = shared.rule_for(name);
    CAF_CHECK(rule.ruled);
    CAF_CHECK(!rule.address);
  }
}
