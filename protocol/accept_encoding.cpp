#include "protocol/accept_encoding.hpp"

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// `q=0`, `q=0.0`, `q=0.000`: the coding is refused.
bool refused(std::string_view params) {
  auto q = params.find("q=");
  if (q == std::string_view::npos)
    return false;
  auto value = trim_view(params.substr(q + 2));
  if (value.empty() || value[0] != '0')
    return false;
  for (auto c : value.substr(1))
    if (c != '.' && c != '0')
      return false;
  return true;
}

} // namespace

bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    auto semi = item.find(';');
    auto coding = trim_view(item.substr(0, semi));
    auto params = semi == std::string_view::npos ? std::string_view{}
                                                 : item.substr(semi + 1);
    if ((iequals(coding, "gzip") || coding == "*") && !refused(params))
      return true;
    if (comma == std::string_view::npos)
      break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace agenttheo
