#pragma once

// `GET /api/runs/{messageId}/video`: a detached actor per request, since
// ffmpeg takes seconds and a CAF worker must not wait on it. The session
// delegates the request to it; it answers with the MP4 (from the cache a
// finished run keeps, or rendered now) and quits. At most two render at
// once; a third request is told to come back (503, Retry-After).

#include <cstdint>
#include <filesystem>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "store/run_frames.hpp"
#include "store/run_video.hpp"

namespace agenttheo {

/// What the session knows of the run: its frames, its span, and whether it
/// is finished (only then is the video kept, as nothing will change it).
struct video_job {
  std::filesystem::path folder;
  std::vector<frame_entry> frames;
  video_span span;
  bool finished = false;
};

/// Answers one `video_job` with an `api_reply`, then quits.
caf::behavior video_maker(caf::event_based_actor* self);

} // namespace agenttheo

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agenttheo::video_job)
