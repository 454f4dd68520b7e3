#pragma once

// The request's Transfer-Encoding, as RFC 9112 §6 reads it. The HTTP
// parser frames a body only for `chunked`; any other coding would leave
// the body to be read as the next request (smuggling), so such a request
// is refused and its connection closed.

#include <optional>
#include <string_view>
#include <vector>

#include "messages/api_error.hpp"

namespace agenttheo {

/// nullopt when the request's framing is sound: no Transfer-Encoding, or
/// exactly `chunked`. Else 501 `unsupported_transfer_coding` for a coding
/// the server does not implement (`xchunked`, `gzip, chunked`), 400
/// `malformed_request` for a repeated or misplaced one (`chunked,
/// identity`, `chunked, chunked`, an empty one). `values`: every
/// Transfer-Encoding header's value, in order.
std::optional<api_error>
check_transfer_coding(const std::vector<std::string_view>& values);

} // namespace agenttheo
