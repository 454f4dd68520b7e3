#include "http/accept_encoding.hpp"

#include <cctype>
#include <string>

namespace agenttheo::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// `q=0`, `q=0.0`, `q=0.000`: the coding is refused.
bool refused(std::string_view params) {
  auto q = params.find("q=");
  if (q == std::string_view::npos)
    return false;
  auto value = trim(params.substr(q + 2));
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
    auto coding = trim(item.substr(0, semi));
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

} // namespace agenttheo::http
