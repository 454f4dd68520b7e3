#pragma once

// A WebSocket text message as one unmasked frame, the way a server sends it
// (RFC 6455 §5.2): FIN and opcode 1, the payload length in 7, 16 or 64
// bits, then the payload. No compression: the writer frames only what
// Beast would have sent uncompressed too.

#include <string>
#include <string_view>

namespace agenttheo::http {

inline void append_text_frame(std::string& out, std::string_view payload) {
  auto n = static_cast<unsigned long long>(payload.size());
  out += static_cast<char>(0x81);
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xFF);
  }
  out.append(payload.data(), payload.size());
}

} // namespace agenttheo::http
