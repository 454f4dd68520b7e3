#include "browser/ip_address.hpp"

#include <cstdio>

#include <arpa/inet.h>

namespace agenttheo {

ip_address ip_address::from_v4(std::uint32_t value) {
  ip_address a;
  for (int i = 0; i < 4; ++i)
    a.bytes[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  return a;
}

std::uint32_t ip_address::v4() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16)
         | (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::string ip_address::to_string() const {
  if (!v6) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, bytes.data(), text, sizeof text);
    return text;
  }
  // As the URL Standard writes it (and RFC 5952): lower-case hex, the first
  // longest run of two or more zero pieces as `::`, never a dotted tail.
  unsigned pieces[8];
  for (int i = 0; i < 8; ++i)
    pieces[i] = (unsigned{bytes[2 * i]} << 8) | bytes[2 * i + 1];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && pieces[j] == 0)
      ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char piece[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += i == 0 ? "::" : ":";
      i += best_len - 1;
      continue;
    }
    std::snprintf(piece, sizeof piece, "%x", pieces[i]);
    out += piece;
    if (i < 7)
      out += ':';
  }
  return out;
}

std::optional<ip_address> ip_address::embedded_v4() const {
  if (!v6)
    return std::nullopt;
  auto zeros = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      if (bytes[i] != 0)
        return false;
    return true;
  };
  auto tail = [&](int at) {
    return from_v4((std::uint32_t{bytes[at]} << 24)
                   | (std::uint32_t{bytes[at + 1]} << 16)
                   | (std::uint32_t{bytes[at + 2]} << 8) | bytes[at + 3]);
  };
  bool mapped = zeros(0, 10) && bytes[10] == 0xff && bytes[11] == 0xff;
  // ::a.b.c.d, but not :: and ::1, which are IPv6's own.
  bool compatible = zeros(0, 12) && !(zeros(12, 15) && bytes[15] <= 1);
  bool nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff
               && bytes[3] == 0x9b && zeros(4, 12);
  if (mapped || compatible || nat64)
    return tail(12);
  if (bytes[0] == 0x20 && bytes[1] == 0x02)
    return tail(2);
  return std::nullopt;
}

std::optional<ip_address> parse_ip_literal(std::string_view text) {
  std::string copy{text};
  ip_address a;
  if (inet_pton(AF_INET, copy.c_str(), a.bytes.data()) == 1)
    return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), a.bytes.data()) == 1)
    return a;
  return std::nullopt;
}

bool in_network(const ip_address& address, const ip_address& network,
                unsigned prefix_bits) {
  if (address.v6 != network.v6 || prefix_bits > (address.v6 ? 128u : 32u))
    return false;
  for (unsigned i = 0; i < prefix_bits / 8; ++i)
    if (address.bytes[i] != network.bytes[i])
      return false;
  if (auto rest = prefix_bits % 8) {
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    auto i = prefix_bits / 8;
    return (address.bytes[i] & mask) == (network.bytes[i] & mask);
  }
  return true;
}

} // namespace agenttheo
