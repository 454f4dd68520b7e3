#include "messages/binary_frame.hpp"

#include <cstdint>

namespace agenttheo {

std::string make_binary_frame(std::string_view header_json,
                              std::string_view payload) {
  auto n = static_cast<std::uint32_t>(header_json.size());
  std::string out;
  out.reserve(4 + header_json.size() + payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out += header_json;
  out += payload;
  return out;
}

} // namespace agenttheo
