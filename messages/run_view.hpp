#pragma once

#include <cstdint>
#include <string>

namespace agenttheo {

/// What of a recorded run `GET /api/runs/{messageId}/...` reads.
enum class run_view : std::uint8_t {
  /// `/frames`: the index of its frames.
  frames,
  /// `/frames/{id}`: one frame, a JPEG.
  frame,
  /// `/video`: an MP4 of its frames.
  video,
  /// `/report`: one self-contained HTML page.
  report,
};

inline std::string to_string(run_view view) {
  constexpr const char* names[] = {"frames", "frame", "video", "report"};
  return names[static_cast<std::uint8_t>(view) % 4];
}

} // namespace agenttheo
