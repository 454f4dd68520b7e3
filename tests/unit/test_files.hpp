#pragma once

// Files for unit tests: a scratch folder that goes when the test ends, and
// the smallest JPEG header jpeg_size reads.

#include <filesystem>
#include <string>

#include <stdlib.h>

namespace agenttheo::test {

/// A fresh folder under /tmp, removed with everything in it.
struct scratch {
  std::filesystem::path dir;
  scratch() {
    char name[] = "/tmp/agenttheo-test-XXXXXX";
    dir = mkdtemp(name);
  }
  ~scratch() {
    std::filesystem::remove_all(dir);
  }
};

/// SOI, an APP0 segment, then a baseline frame header of `width` x
/// `height`.
inline std::string jpeg_head(unsigned width, unsigned height) {
  std::string b{"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20};
  b += std::string{"\xFF\xC0\x00\x11\x08", 5};
  b += static_cast<char>(height >> 8);
  b += static_cast<char>(height & 0xFF);
  b += static_cast<char>(width >> 8);
  b += static_cast<char>(width & 0xFF);
  b += std::string(12, '\x01');
  return b;
}

} // namespace agenttheo::test
