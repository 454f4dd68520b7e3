#pragma once

// A JPEG's width and height, read from its frame header (SOFn), for the
// context budget's estimate of what an image costs and for tests.

#include <cstdint>
#include <optional>
#include <string_view>

namespace agenttheo {

struct image_size {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

/// The size in a JPEG's bytes, or nullopt when they are not a JPEG whose
/// frame header comes before the image data.
std::optional<image_size> jpeg_size(std::string_view bytes);

/// The same for base64 text: only the first kilobytes are decoded (a frame
/// header comes after the tables, well within them).
std::optional<image_size> jpeg_size_base64(std::string_view base64);

} // namespace agenttheo
