// libFuzzer target: what the HTTP layer reads from a request line and its
// headers before anything runs — the target (absolute form, path, query,
// stream parameters), the Host rules, the Transfer-Encoding, the token
// redaction for the log, and the UTF-8 check and repair. Any crash,
// sanitizer report or broken invariant is a finding.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/host_policy.hpp"
#include "protocol/query.hpp"
#include "protocol/stream_params.hpp"
#include "protocol/transfer_coding.hpp"
#include "util/utf8.hpp"

namespace {

void check(bool invariant) {
  if (!invariant)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agenttheo;
  std::string_view input{reinterpret_cast<const char*>(data), size};
  // The input is a request target, a Host and a Transfer-Encoding value,
  // separated by newlines (missing parts are empty).
  auto first = input.find('\n');
  auto target = input.substr(0, first);
  auto rest = first == std::string_view::npos ? std::string_view{} : input.substr(first + 1);
  auto second = rest.find('\n');
  auto host = rest.substr(0, second);
  auto coding = second == std::string_view::npos ? std::string_view{} : rest.substr(second + 1);

  std::string origin_form{target};
  if (auto absolute = split_absolute_form(target)) {
    check(!absolute->origin_form.empty() && absolute->origin_form.front() == '/');
    origin_form = absolute->origin_form;
  }
  auto [path, query] = split_target(origin_form);
  check(path.size() + query.size() <= origin_form.size());
  if (auto params = parse_query(query))
    for (auto& [name, value] : *params)
      (void) find_param(*params, name);
  (void) parse_stream_params(query, host, 4000);

  auto redacted = redact_tokens(origin_form);
  check(redacted.size() >= path.size());

  auto rules = make_host_rules("127.0.0.1", {"agents.example"});
  auto verdict = check_host(host, 1, rules);
  if (verdict)
    check(verdict->status == 400 || verdict->status == 421);

  std::vector<std::string_view> codings{coding};
  if (auto refused = check_transfer_coding(codings))
    check(refused->status == 400 || refused->status == 501);

  // Repair always yields UTF-8, and leaves UTF-8 as it was.
  auto repaired = to_valid_utf8(input);
  check(is_valid_utf8(repaired));
  if (is_valid_utf8(input))
    check(repaired == input);
  return 0;
}
