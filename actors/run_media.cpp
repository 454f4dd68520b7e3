#include "actors/run_media.hpp"

#include <atomic>
#include <fstream>
#include <iterator>

#include <caf/all.hpp>

#include "actors/run_report.hpp"
#include "messages/api_error.hpp"
#include "messages/messages.hpp"
#include "util/cpu_affinity.hpp"

namespace agenttheo {

namespace {

constexpr int max_rendering = 2;
constexpr auto render_timeout = std::chrono::minutes{2};

std::atomic<int> rendering{0};

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return std::nullopt;
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

api_reply mp4(std::string bytes) {
  return {200, std::move(bytes), 0, "video/mp4"};
}

api_reply render(const video_job& job) {
  auto cached = job.folder / "video.mp4";
  if (job.finished)
    if (auto bytes = read_file(cached))
      return mp4(std::move(*bytes));
  if (rendering.fetch_add(1) >= max_rendering) {
    rendering.fetch_sub(1);
    auto busy = api_error::of(api_code::unavailable,
                              "two videos are being made already; try again shortly");
    busy.retry_after_s = 2;
    return error_reply(busy);
  }
  // A running run's video is made apart from the cache: it will grow.
  auto out = job.finished ? cached : job.folder / ".video-running.mp4";
  auto failed = render_video(job.folder, job.frames, job.span, out, render_timeout);
  rendering.fetch_sub(1);
  if (failed)
    return error_reply(api_error::of(api_code::video_failed, *failed));
  auto bytes = read_file(out);
  if (!job.finished) {
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
  }
  if (!bytes)
    return error_reply(api_error::of(api_code::video_failed, "the video was not kept"));
  return mp4(std::move(*bytes));
}

} // namespace

caf::behavior run_media(caf::event_based_actor* self) {
  // Detached: its thread was started by the session's, maybe a pinned I/O
  // thread; a video takes seconds of a core, and its ffmpeg (forked here)
  // inherits this thread's CPUs.
  name_and_reset_this_thread("agenttheo.media");
  return {
    [self](const video_job& job) {
      auto reply = render(job);
      self->quit();
      return reply;
    },
    [self](const report_job& job) {
      api_reply reply{200, run_report_html(job), 0, "text/html; charset=utf-8"};
      self->quit();
      return reply;
    },
  };
}

} // namespace agenttheo
