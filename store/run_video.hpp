#pragma once

// A run's video: its recorded frames (run_frames.hpp) made into one MP4
// (H.264) by ffmpeg, each frame shown from its recorded time until the
// next, so the video lasts as long as the run did and a moment of it shows
// what the page showed then. Made once per finished run and kept beside
// its frames (`video.mp4`).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/run_frames.hpp"

namespace agenttheo {

/// What to render: the run's frames and the span of the run they cover.
struct video_span {
  /// When the run began and ended (Unix ms): the first frame is shown from
  /// the beginning, the last until the end.
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

/// ffmpeg's concat list (ffconcat) for `frames`, by file name, with each
/// frame's duration; the last frame is named twice, as the concat demuxer
/// needs for its duration to count. `frames` is not empty.
std::string ffconcat_list(const std::vector<frame_entry>& frames, video_span span);

/// The video's size: the first frame's, rounded down to even numbers
/// (H.264 in yuv420p needs them); others are scaled into it.
std::pair<std::uint32_t, std::uint32_t> video_size(const std::vector<frame_entry>& frames);

/// Renders `frames` (in `folder`) to `out`; an error sentence on failure
/// (no ffmpeg, ffmpeg failed, or took longer than `timeout`).
std::optional<std::string> render_video(const std::filesystem::path& folder,
                                        const std::vector<frame_entry>& frames,
                                        video_span span,
                                        const std::filesystem::path& out,
                                        std::chrono::milliseconds timeout);

} // namespace agenttheo
