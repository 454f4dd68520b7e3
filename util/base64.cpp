#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace agenttheo {

namespace {

constexpr std::uint8_t invalid = 0xff;

constexpr char alphabet[]
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table)
    v = invalid;
  for (std::uint8_t i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(alphabet[i])] = i;
  return table;
}

constexpr auto table = make_table();

} // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int pending = 0;
  for (unsigned char c : text) {
    auto v = table[c];
    if (v == invalid)
      return std::nullopt;
    bits = (bits << 6) | v;
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xff));
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto bits = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(alphabet[(bits >> shift) & 63]);
  }
  if (auto rest = bytes.size() - i; rest > 0) {
    auto bits = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out.push_back(alphabet[(bits >> 18) & 63]);
    out.push_back(alphabet[(bits >> 12) & 63]);
    out.push_back(rest == 2 ? alphabet[(bits >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

} // namespace agenttheo
