#include "store/frame_recorder.hpp"

#include <algorithm>

#include "util/jpeg_size.hpp"

namespace agenttheo {

void frame_recorder::resume(const run_frames& where) {
  resumed_ = true;
  for (const auto& entry : where.list()) {
    next_id_ = entry.id + 1;
    bytes_ += entry.bytes;
    last_ts_ = std::max(last_ts_, entry.ts);
  }
}

bool frame_recorder::add(const run_frames& where, std::int64_t ts,
                         std::string_view jpeg, std::uint64_t max_bytes) {
  if (!resumed_)
    resume(where);
  if (full_)
    return false;
  if (bytes_ + jpeg.size() > max_bytes) {
    full_ = true;
    return false;
  }
  auto size = jpeg_size(jpeg);
  if (!size)
    return false;
  // Frames are played in id order at their times: a clock stepped back
  // must not make a later frame look earlier.
  frame_entry entry{next_id_, std::max(ts, last_ts_), size->width, size->height,
                    jpeg.size()};
  if (!where.write(entry, jpeg))
    return false;
  ++next_id_;
  bytes_ += jpeg.size();
  last_ts_ = entry.ts;
  return true;
}

} // namespace agenttheo
