#include "protocol/security_headers.hpp"

namespace agenttheo {

std::vector<std::pair<std::string, std::string>>
security_headers(std::string_view path, std::string_view content_type) {
  std::vector<std::pair<std::string, std::string>> headers{
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
  };
  if (content_type.rfind("text/html", 0) != 0)
    return headers;
  auto demo = path.rfind("/demo/", 0) == 0;
  headers.emplace_back("Content-Security-Policy",
                       demo ? std::string{"frame-ancestors 'self'"}
                            : std::string{ui_content_policy});
  return headers;
}

} // namespace agenttheo
