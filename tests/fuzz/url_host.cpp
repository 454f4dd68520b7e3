// Reads URLs, one per line, hex-encoded (so tabs and newlines survive), and
// prints what host each reaches, as the egress policy reads it:
// `ip <host>`, `domain <host>` or `error`. test_url_differential.py
// compares it with Node's `new URL()`, the URL Standard's own reading.

#include <iostream>
#include <string>
#include <variant>

#include "browser/canonical_host.hpp"

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

} // namespace

int main() {
  std::ios::sync_with_stdio(false);
  for (std::string line; std::getline(std::cin, line);) {
    auto parsed = agenttheo::parse_url_target(from_hex(line));
    if (auto* target = std::get_if<agenttheo::url_target>(&parsed))
      std::cout << (target->host.address ? "ip " : "domain ") << target->host.name
                << '\n';
    else
      std::cout << "error\n";
  }
}
