#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// The well-formed multi-byte sequences (Unicode's table 3-7): by lead
/// byte, the sequence's length and the range its second byte must be in
/// (later bytes are always 80..BF). The ranges rule out overlong forms
/// (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
struct lead_byte {
  unsigned char first, last;
  std::size_t length;
  unsigned char low, high;
};

constexpr lead_byte lead_bytes[] = {
  {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
  {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
  {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
  {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

/// The length of the valid sequence at `i`, or 0 if there is none; with 0,
/// `bad` is how many bytes form the invalid subpart to replace.
std::size_t sequence_at(std::string_view text, std::size_t i, std::size_t& bad) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  bad = 1;
  if (byte(i) < 0x80)
    return 1;
  for (const auto& lead : lead_bytes) {
    if (byte(i) < lead.first || byte(i) > lead.last)
      continue;
    for (std::size_t k = 1; k < lead.length; ++k) {
      auto low = k == 1 ? lead.low : 0x80;
      auto high = k == 1 ? lead.high : 0xBF;
      if (i + k >= text.size() || byte(i + k) < low || byte(i + k) > high)
        return bad = k, 0;
    }
    return lead.length;
  }
  return 0; // C0, C1, F5..FF, or a stray continuation byte
}

} // namespace

bool is_valid_utf8_from(std::string_view text, std::size_t from) {
  std::size_t bad = 0;
  for (std::size_t i = from; i < text.size();) {
    auto n = sequence_at(text, i, bad);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto n = sequence_at(text, i, bad);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += bad;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max)
    return text;
  auto end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

} // namespace agenttheo
