#pragma once

#include <string_view>

namespace agenttheo {

/// Whether an `Accept-Encoding` header value accepts gzip (`gzip` or `*`
/// listed without `q=0`).
bool accepts_gzip(std::string_view accept_encoding);

} // namespace agenttheo
