// libFuzzer target: the egress policy's URL and host canonicalisation, and
// the egress proxy's request targets. What it accepts must be stable (the
// canonical host canonicalises to itself) and every spelling of a denied
// address must be refused.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "browser/canonical_host.hpp"
#include "browser/egress_policy.hpp"
#include "browser/proxy_target.hpp"

namespace {

void check(bool invariant) {
  if (!invariant)
    std::abort();
}

void check_stable(const agenttheo::canonical_host& host) {
  auto again = agenttheo::canonicalize_host(host.name);
  auto* same = std::get_if<agenttheo::canonical_host>(&again);
  check(same && same->name == host.name && same->address == host.address);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agenttheo;
  std::string_view input{reinterpret_cast<const char*>(data), size};
  auto url = "http://" + std::string{input};
  auto parsed = parse_url_target(url);
  if (auto* target = std::get_if<url_target>(&parsed)) {
    check_stable(target->host);
    egress_policy policy;
    policy.denied_hosts = {"127.0.0.1"};
    if (target->host.address && *target->host.address == *parse_ip_literal("127.0.0.1"))
      check(check_navigation(policy, url).has_value());
  }
  auto host = canonicalize_host(input);
  if (auto* h = std::get_if<canonical_host>(&host))
    check_stable(*h);
  for (auto [method, target] : {std::pair{"GET", std::string_view{url}},
                                 std::pair{"CONNECT", input}}) {
    auto proxied = read_proxy_target(method, target);
    if (auto* t = std::get_if<proxy_target>(&proxied))
      check_stable(t->host);
  }
  return 0;
}
