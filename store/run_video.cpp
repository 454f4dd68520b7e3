#include "store/run_video.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/exec_args.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace fs = std::filesystem;

namespace {

std::string seconds(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(std::max<std::int64_t>(ms, 0)) / 1000);
  return text;
}

/// The child's side of the fork: ffmpeg with no input, its messages to
/// `log_fd`, killed if the thread that started it dies.
[[noreturn]] void exec_ffmpeg(int log_fd, char** argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int null_fd = open("/dev/null", O_RDWR);
  dup2(null_fd, STDIN_FILENO);
  dup2(null_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  execvp(argv[0], argv);
  _exit(127);
}

/// Waits for `pid` until `timeout`, then kills it; its exit status, or -1
/// when it was killed for taking too long.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string last_line(const fs::path& file) {
  std::ifstream in{file};
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty())
      last = line;
  return last;
}

} // namespace

std::string ffconcat_list(const std::vector<frame_entry>& frames, video_span span) {
  std::string out = "ffconcat version 1.0\n";
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto from = i == 0 ? std::min(span.start_ms, frames[i].ts) : frames[i].ts;
    auto to = i + 1 < frames.size() ? frames[i + 1].ts : std::max(span.end_ms, frames[i].ts);
    out += "file " + frame_file_name(frames[i]) + "\nduration " + seconds(to - from) + "\n";
  }
  out += "file " + frame_file_name(frames.back()) + "\n";
  return out;
}

std::pair<std::uint32_t, std::uint32_t> video_size(const std::vector<frame_entry>& frames) {
  auto even = [](std::uint32_t n) { return std::max<std::uint32_t>(n & ~1u, 2); };
  return {even(frames.front().width), even(frames.front().height)};
}

std::optional<std::string> render_video(const fs::path& folder,
                                        const std::vector<frame_entry>& frames,
                                        video_span span, const fs::path& out,
                                        std::chrono::milliseconds timeout) {
  auto stem = "." + random_id("video-");
  auto list = folder / (stem + ".ffconcat");
  auto log = folder / (stem + ".log");
  auto partial = folder / (stem + ".mp4");
  {
    std::ofstream file{list, std::ios::trunc};
    file << ffconcat_list(frames, span);
    if (!file.flush())
      return "cannot write the frame list";
  }
  auto [w, h] = video_size(frames);
  auto size = std::to_string(w) + ":" + std::to_string(h);
  // 10 frames a second made by the fps filter, which repeats a frame until
  // the next one's time: an output rate (`-r 10`) alone dropped the held
  // last frame, so frames bunched early (a slow machine's screencast) gave
  // a 0.2 s video of a 1.3 s run.
  auto filters = "scale=" + size + ":force_original_aspect_ratio=decrease,pad="
                 + size + ":(ow-iw)/2:(oh-ih)/2,format=yuv420p,fps=10";
  // The repeated last frame would add a moment: cut at the run's length.
  auto length = seconds(std::max(span.end_ms, frames.back().ts)
                        - std::min(span.start_ms, frames.front().ts));
  // One flag and its value a pair, as ffmpeg reads them.
  // clang-format off
  std::vector<std::string> args{
    "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y",
    "-f", "concat", "-i", list.string(),
    "-vf", filters, "-t", length,
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
    "-movflags", "+faststart", "-f", "mp4", partial.string()};
  // clang-format on
  auto argv = exec_pointers(args);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::optional<std::string> failed;
  pid_t pid = log_fd < 0 ? -1 : fork();
  if (pid == 0)
    exec_ffmpeg(log_fd, argv.data());
  if (log_fd >= 0)
    close(log_fd);
  if (pid < 0) {
    failed = std::string{"cannot start ffmpeg: "} + std::strerror(errno);
  } else if (auto status = wait_for(pid, timeout); status == 127) {
    failed = "ffmpeg is not installed (run.sh installs Debian's)";
  } else if (status != 0) {
    failed = status < 0 ? "ffmpeg took longer than " + std::to_string(timeout.count()) + " ms"
                        : "ffmpeg failed: " + last_line(log);
  } else {
    std::error_code ec;
    fs::rename(partial, out, ec);
    if (ec)
      failed = "cannot keep the video: " + ec.message();
  }
  std::error_code ignored;
  fs::remove(list, ignored);
  fs::remove(log, ignored);
  fs::remove(partial, ignored);
  return failed;
}

} // namespace agenttheo
