#pragma once

// Percent-encoding (RFC 3986 §2.1), both ways: a name put into a URL's
// path, a path segment or a query value read back.

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// `text` with every byte but A-Z a-z 0-9 - . _ ~ as `%XX` (RFC 3986's
/// unreserved characters stay): fit for one path segment.
std::string percent_encode(std::string_view text);

/// Decodes `%XX` escapes, and `+` as a space when `plus_is_space` (a form's
/// query string; in a path segment or RFC 8187's `filename*`, `+` is
/// itself). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space = false);

} // namespace agenttheo
