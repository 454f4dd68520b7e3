#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agenttheo {

/// Decodes `%XX` escapes and `+` (as space). nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

using query_params = std::vector<std::pair<std::string, std::string>>;

/// Splits `a=1&b=two` into decoded pairs. nullopt if any part is malformed.
std::optional<query_params> parse_query(std::string_view query);

/// The first value of `name`, if present.
const std::string* find_param(const query_params& params,
                              std::string_view name);

/// `target` fit for a log: every `access_token` value replaced by
/// `[redacted]`, whatever its spelling (`access%5Ftoken`, any case).
std::string redact_tokens(std::string_view target);

/// A request target in absolute form (`http://host:port/path?query`, which
/// RFC 9112 §3.2.2 says a server must accept): its authority, which stands
/// for the Host header, and the origin-form rest (`/` at least). nullopt
/// for any other form.
struct absolute_target {
  std::string authority;
  std::string origin_form;
};
std::optional<absolute_target> split_absolute_form(std::string_view target);

/// Splits a request target into path and query (without the `?`).
std::pair<std::string_view, std::string_view>
split_target(std::string_view target);

} // namespace agenttheo
