#include "protocol/transfer_coding.hpp"

#include <string>

#include "util/ascii.hpp"

namespace agenttheo {

std::optional<api_error>
check_transfer_coding(const std::vector<std::string_view>& values) {
  std::vector<std::string_view> codings;
  for (auto value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      auto end = value.find(',', start);
      if (end == std::string_view::npos)
        end = value.size();
      codings.push_back(trim_view(value.substr(start, end - start)));
      start = end + 1;
    }
  }
  if (codings.empty())
    return std::nullopt;
  for (auto coding : codings) {
    if (coding.empty())
      return api_error::of(api_code::malformed_request,
                           "Transfer-Encoding has an empty coding");
    if (!iequals(coding, "chunked"))
      return api_error::of(api_code::unsupported_transfer_coding,
                           "the transfer coding '" + std::string{coding}
                             + "' is not supported; send the body chunked "
                               "or with a Content-Length");
  }
  if (codings.size() > 1)
    return api_error::of(api_code::malformed_request,
                         "chunked may be applied once, as the last coding");
  return std::nullopt;
}

} // namespace agenttheo
