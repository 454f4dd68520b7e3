#pragma once

// What a run keeps of its page's frames (RECORD, RECORD_MAX_BYTES): every
// frame it is given while the run's frames fit the bound, numbered from 1
// in the order they came. Which frames it is given is the session's and
// the page's choice (the live view's frames while someone watches, at most
// RECORD_FPS otherwise, and the screenshot after each page-changing step).

#include <cstdint>
#include <string_view>

#include "store/run_frames.hpp"

namespace agenttheo {

class frame_recorder {
public:
  /// Records `jpeg` (recorded at `ts`, Unix ms) in `where`; false when the
  /// run holds `max_bytes` already, or the frame is no JPEG, or the disk
  /// refused it.
  bool add(const run_frames& where, std::int64_t ts, std::string_view jpeg,
           std::uint64_t max_bytes);

  std::uint64_t bytes() const {
    return bytes_;
  }

  /// A frame did not fit: later frames are not recorded either, so the
  /// recording stops at a moment instead of going on with holes.
  bool full() const {
    return full_;
  }

private:
  /// A run that comes back (a restart) goes on after the frames it has.
  void resume(const run_frames& where);

  bool resumed_ = false;
  bool full_ = false;
  std::uint64_t next_id_ = 1;
  std::uint64_t bytes_ = 0;
  std::int64_t last_ts_ = 0;
};

} // namespace agenttheo
