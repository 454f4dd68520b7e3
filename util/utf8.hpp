#pragma once

// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800 to
// U+DFFF), nothing above U+10FFFF. What comes in is checked with it; what
// comes from outside and goes out anyway (a model's text, a page's) is
// repaired, so every SSE frame, WebSocket text frame and JSON document the
// server writes is valid.

#include <string>
#include <string_view>

namespace agenttheo {

bool is_valid_utf8(std::string_view text);

/// `text` with each invalid sequence replaced by U+FFFD (one per maximal
/// invalid subpart, as Unicode's "substitution of maximal subparts").
std::string to_valid_utf8(std::string_view text);

} // namespace agenttheo
