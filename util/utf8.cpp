#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// The length of the valid sequence at `i`, or 0 if there is none; with 0,
/// `bad` is how many bytes form the invalid subpart to replace.
std::size_t sequence_at(std::string_view text, std::size_t i, std::size_t& bad) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  auto c = byte(i);
  bad = 1;
  if (c < 0x80)
    return 1;
  // The allowed range of the second byte narrows the first's meaning: it
  // rules out overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0)
      low = 0xA0;
    if (c == 0xED)
      high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0)
      low = 0x90;
    if (c == 0xF4)
      high = 0x8F;
  } else {
    return 0; // C0, C1, F5..FF, or a stray continuation byte
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size())
      return bad = k, 0;
    auto next = byte(i + k);
    auto lo = k == 1 ? low : static_cast<unsigned char>(0x80);
    auto hi = k == 1 ? high : static_cast<unsigned char>(0xBF);
    if (next < lo || next > hi)
      return bad = k, 0;
  }
  return length;
}

} // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < text.size();) {
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

} // namespace agenttheo
