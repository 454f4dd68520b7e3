#pragma once

// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800 to
// U+DFFF), nothing above U+10FFFF. What comes in is checked with it; what
// comes from outside and goes out anyway (a model's text, a page's) is
// repaired, so every SSE frame, WebSocket text frame and JSON document the
// server writes is valid.

#include <cstddef>
#include <string>
#include <string_view>

namespace agenttheo {

/// `text` from byte `from` on, past ASCII: the out-of-line rest of
/// is_valid_utf8.
bool is_valid_utf8_from(std::string_view text, std::size_t from);

/// Inline over ASCII, nearly every byte of every event the server writes.
inline bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (static_cast<unsigned char>(text[i]) >= 0x80)
      return is_valid_utf8_from(text, i);
  return true;
}

/// `text` cut to at most `max` bytes, not inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max);

/// `text` with each invalid sequence replaced by U+FFFD (one per maximal
/// invalid subpart, as Unicode's "substitution of maximal subparts").
std::string to_valid_utf8(std::string_view text);

} // namespace agenttheo
