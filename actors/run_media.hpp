#pragma once

// What a recorded run is made into on request: its video
// (`GET /api/runs/{messageId}/video`, ffmpeg takes seconds) and its report
// (`/report`, every frame read and inlined). A detached actor per request,
// so neither waits on a CAF worker: the session delegates the request to
// it; it answers and quits. At most two videos render at once; a third
// request is told to come back (503, Retry-After).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "messages/event.hpp"
#include "store/run_frames.hpp"
#include "store/run_video.hpp"

namespace agenttheo {

/// What the session knows of the run for its video: its frames, its span,
/// and whether it is finished (only then is the video kept, as nothing
/// will change it).
struct video_job {
  std::filesystem::path folder;
  std::vector<frame_entry> frames;
  video_span span;
  bool finished = false;
};

/// What the session knows of the run for its report: its frames and its
/// events (screenshots left out when the frames hold them).
struct report_job {
  std::string session;
  std::string message_id;
  /// None when the session has no folder for its files.
  std::optional<run_frames> folder;
  std::vector<frame_entry> frames;
  std::vector<event_ptr> events;
};

/// Answers one `video_job` or `report_job` with an `api_reply`, then quits.
caf::behavior run_media(caf::event_based_actor* self);

} // namespace agenttheo

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agenttheo::video_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agenttheo::report_job)
