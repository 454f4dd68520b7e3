#include "protocol/query.hpp"

#include <algorithm>

#include "util/ascii.hpp"
#include "util/percent_encoding.hpp"

namespace agenttheo {

std::optional<std::string> url_decode(std::string_view text) {
  return percent_decode(text, true);
}

std::optional<query_params> parse_query(std::string_view query) {
  query_params params;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (part.empty())
      continue;
    auto eq = part.find('=');
    auto name = url_decode(part.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view{}
                                                         : part.substr(eq + 1));
    if (!name || !value)
      return std::nullopt;
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

const std::string* find_param(const query_params& params,
                              std::string_view name) {
  for (const auto& [key, value] : params)
    if (key == name)
      return &value;
  return nullptr;
}

std::pair<std::string_view, std::string_view>
split_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string redact_tokens(std::string_view target) {
  auto [path, query] = split_target(target);
  if (query.empty())
    return std::string{target};
  std::string out{path};
  out += '?';
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = std::min(query.find('&', start), query.size());
    auto part = query.substr(start, end - start);
    auto eq = part.find('=');
    auto name = url_decode(part.substr(0, eq)).value_or(std::string{part.substr(0, eq)});
    if (iequals(name, "access_token") && eq != std::string_view::npos)
      out += std::string{part.substr(0, eq)} + "=[redacted]";
    else
      out += part;
    if (end < query.size())
      out += '&';
    start = end + 1;
  }
  return out;
}

std::optional<absolute_target> split_absolute_form(std::string_view target) {
  auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || target.empty() || target.front() == '/')
    return std::nullopt;
  auto scheme = target.substr(0, scheme_end);
  if (!iequals(scheme, "http") && !iequals(scheme, "https"))
    return std::nullopt;
  auto rest = target.substr(scheme_end + 3);
  auto path_start = rest.find_first_of("/?");
  absolute_target out;
  out.authority = std::string{rest.substr(0, path_start)};
  auto tail = path_start == std::string_view::npos ? std::string_view{}
                                                   : rest.substr(path_start);
  out.origin_form = tail.empty() || tail.front() != '/' ? "/" + std::string{tail}
                                                        : std::string{tail};
  return out;
}

} // namespace agenttheo
