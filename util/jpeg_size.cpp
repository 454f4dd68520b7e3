#include "util/jpeg_size.hpp"

#include <algorithm>

#include "util/base64.hpp"

namespace agenttheo {

namespace {

unsigned byte_at(std::string_view bytes, std::size_t i) {
  return static_cast<unsigned char>(bytes[i]);
}

/// Start-of-frame markers (baseline, progressive, lossless...); C4, C8 and
/// CC are other tables.
bool is_frame_marker(unsigned marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
         && marker != 0xCC;
}

} // namespace

std::optional<image_size> jpeg_size(std::string_view bytes) {
  if (bytes.size() < 4 || byte_at(bytes, 0) != 0xFF || byte_at(bytes, 1) != 0xD8)
    return std::nullopt;
  std::size_t i = 2;
  // Each segment: FF, marker, a 16-bit length counting itself.
  while (i + 4 <= bytes.size()) {
    if (byte_at(bytes, i) != 0xFF)
      return std::nullopt;
    auto marker = byte_at(bytes, i + 1);
    if (marker == 0xFF) { // fill byte
      ++i;
      continue;
    }
    auto length = (byte_at(bytes, i + 2) << 8) | byte_at(bytes, i + 3);
    if (is_frame_marker(marker)) {
      if (i + 9 > bytes.size())
        return std::nullopt;
      image_size size;
      size.height = (byte_at(bytes, i + 5) << 8) | byte_at(bytes, i + 6);
      size.width = (byte_at(bytes, i + 7) << 8) | byte_at(bytes, i + 8);
      return size;
    }
    if (marker == 0xDA || length < 2) // image data before any frame header
      return std::nullopt;
    i += 2 + length;
  }
  return std::nullopt;
}

std::optional<image_size> jpeg_size_base64(std::string_view base64) {
  constexpr std::size_t head = 16 * 1024; // a multiple of 4
  auto bytes = base64_decode(base64.substr(0, std::min(base64.size(), head)));
  return bytes ? jpeg_size(*bytes) : std::nullopt;
}

} // namespace agenttheo
