#define CAF_SUITE run_frames

#include "store/run_frames.hpp"

#include <cstdio>
#include <cstdlib>

#include <caf/test/unit_test.hpp>

#include "store/frame_recorder.hpp"
#include "store/run_video.hpp"

#include "test_files.hpp"

using namespace agenttheo;
namespace fs = std::filesystem;

namespace {

using test::scratch;

/// A JPEG header of `width` x `height`, padded to `bytes`.
std::string jpeg(unsigned width, unsigned height, std::size_t bytes = 64) {
  auto b = test::jpeg_head(width, height);
  if (b.size() < bytes)
    b += std::string(bytes - b.size(), '\x02');
  return b;
}

/// Writes a real JPEG for `e` into `folder` (Debian's ffmpeg, which the
/// video needs anyway).
bool real_frame(const fs::path& folder, const frame_entry& e) {
  auto cmd = "ffmpeg -nostdin -v error -y -f lavfi -i color=c=blue:s="
             + std::to_string(e.width) + "x" + std::to_string(e.height)
             + " -frames:v 1 " + (folder / frame_file_name(e)).string();
  return std::system(cmd.c_str()) == 0;
}

/// What ffprobe says a video lasts, in seconds (negative if it cannot).
double probed_seconds(const fs::path& video) {
  auto cmd = "ffprobe -v error -show_entries format=duration -of csv=p=0 "
             + video.string();
  double seconds = -1;
  if (auto* out = popen(cmd.c_str(), "r")) {
    if (std::fscanf(out, "%lf", &seconds) != 1)
      seconds = -1;
    pclose(out);
  }
  return seconds;
}

} // namespace

CAF_TEST(a frame file name carries its id time and size) {
  frame_entry e{12, 1764720000123, 960, 720, 0};
  CAF_CHECK_EQUAL(frame_file_name(e), "12-1764720000123-960x720.jpg");
  auto back = parse_frame_file_name(frame_file_name(e));
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->id, 12u);
  CAF_CHECK_EQUAL(back->ts, 1764720000123);
  CAF_CHECK_EQUAL(back->width, 960u);
  CAF_CHECK_EQUAL(back->height, 720u);
  for (const char* bad : {"", ".jpg", "0-1-2x3.jpg", "1-2-3x4.png", "1-2-3x4.jpg.part",
                          "a-2-3x4.jpg", "1-2-3y4.jpg", "1--2-3x4.jpg", "1-2-3x4x5.jpg",
                          ".frame-abc"})
    CAF_CHECK(!parse_frame_file_name(bad));
}

CAF_TEST(a run frames folder sits under the session folder) {
  auto frames = run_frames::of("/data/s1", "m1");
  CAF_REQUIRE(frames);
  CAF_CHECK_EQUAL(frames->path(), fs::path{"/data/s1/.frames/m1"});
  for (const char* bad : {"", ".", "..", "a/b", "a\\b"})
    CAF_CHECK(!run_frames::of("/data/s1", bad));
}

CAF_TEST(frames are written read and listed in id order) {
  scratch tmp;
  auto frames = *run_frames::of(tmp.dir, "m1");
  CAF_CHECK(frames.list().empty());
  CAF_CHECK(!frames.read(1));
  frame_recorder rec;
  for (int i = 1; i <= 11; ++i)
    CAF_CHECK(rec.add(frames, 1000 + i, jpeg(100 + i, 50, 100), 1 << 20));
  auto all = frames.list();
  CAF_REQUIRE_EQUAL(all.size(), 11u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CAF_CHECK_EQUAL(all[i].id, i + 1);
    CAF_CHECK_EQUAL(all[i].ts, static_cast<std::int64_t>(1001 + i));
    CAF_CHECK_EQUAL(all[i].width, 101 + i);
    CAF_CHECK_EQUAL(all[i].height, 50u);
    CAF_CHECK_EQUAL(all[i].bytes, 100u);
  }
  CAF_CHECK_EQUAL(frames.read(10), jpeg(110, 50, 100));
  CAF_CHECK(!frames.read(12));
  CAF_CHECK_EQUAL(rec.bytes(), 1100u);
  // Only whole frames are in the folder: nothing left half-written.
  std::size_t files = 0;
  for (auto& entry : fs::directory_iterator{frames.path()}) {
    (void) entry;
    ++files;
  }
  CAF_CHECK_EQUAL(files, 11u);
}

CAF_TEST(a recording stops at its byte bound and refuses what is no jpeg) {
  scratch tmp;
  auto frames = *run_frames::of(tmp.dir, "m1");
  frame_recorder rec;
  CAF_CHECK(!rec.add(frames, 1, "not a jpeg", 1000));
  CAF_CHECK(rec.add(frames, 2, jpeg(10, 10, 400), 1000));
  CAF_CHECK(rec.add(frames, 3, jpeg(10, 10, 400), 1000));
  CAF_CHECK(!rec.full());
  CAF_CHECK(!rec.add(frames, 4, jpeg(10, 10, 400), 1000));
  CAF_CHECK(rec.full());
  // A smaller frame that would fit is refused too: no holes in the record.
  CAF_CHECK(!rec.add(frames, 5, jpeg(10, 10, 100), 1000));
  CAF_CHECK_EQUAL(frames.list().size(), 2u);
  CAF_CHECK_EQUAL(rec.bytes(), 800u);
}

CAF_TEST(times never go backwards and a resumed run goes on after its frames) {
  scratch tmp;
  auto frames = *run_frames::of(tmp.dir, "m1");
  {
    frame_recorder rec;
    CAF_CHECK(rec.add(frames, 5000, jpeg(10, 10), 1 << 20));
    CAF_CHECK(rec.add(frames, 4000, jpeg(10, 10), 1 << 20));
  }
  frame_recorder after_restart;
  CAF_CHECK(after_restart.add(frames, 3000, jpeg(20, 10), 1 << 20));
  auto all = frames.list();
  CAF_REQUIRE_EQUAL(all.size(), 3u);
  CAF_CHECK_EQUAL(all[1].ts, 5000);
  CAF_CHECK_EQUAL(all[2].id, 3u);
  CAF_CHECK_EQUAL(all[2].ts, 5000);
  CAF_CHECK_EQUAL(all[2].width, 20u);
  CAF_CHECK_EQUAL(after_restart.bytes(), 192u);
}

CAF_TEST(a video shows each frame from its time and spans the whole run) {
  std::vector<frame_entry> frames{{1, 1200, 781, 591, 10}, {2, 1700, 960, 720, 10},
                                  {3, 2050, 780, 590, 10}};
  auto list = ffconcat_list(frames, {1000, 3000});
  CAF_CHECK_EQUAL(list, "ffconcat version 1.0\n"
                        "file 1-1200-781x591.jpg\nduration 0.700\n"
                        "file 2-1700-960x720.jpg\nduration 0.350\n"
                        "file 3-2050-780x590.jpg\nduration 0.950\n"
                        "file 3-2050-780x590.jpg\n");
  // Frames outside the span stretch it rather than get negative durations.
  CAF_CHECK_EQUAL(ffconcat_list({{1, 900, 2, 2, 1}}, {1000, 800}),
                  "ffconcat version 1.0\nfile 1-900-2x2.jpg\nduration 0.000\n"
                  "file 1-900-2x2.jpg\n");
  CAF_CHECK_EQUAL(video_size(frames).first, 780u);
  CAF_CHECK_EQUAL(video_size(frames).second, 590u);
}

CAF_TEST(a video lasts as long as its run however its frames are bunched) {
  // A slow machine's screencast: frames in the first 40 ms of a 1.3 s run,
  // or one frame only. Each must still be shown until the run's end (an
  // output rate of `-r` alone dropped the held last frame: 0.2 s).
  scratch tmp;
  std::vector<std::vector<frame_entry>> cases{
    {{1, 1010, 64, 48, 0}, {2, 1020, 64, 48, 0}, {3, 1040, 64, 48, 0}},
    {{1, 1500, 64, 48, 0}},
    {{1, 1100, 64, 48, 0}, {2, 1400, 64, 48, 0}, {3, 2250, 64, 48, 0}}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto folder = tmp.dir / std::to_string(i);
    fs::create_directories(folder);
    for (auto& e : cases[i])
      CAF_REQUIRE(real_frame(folder, e));
    auto out = folder / "video.mp4";
    auto failed = render_video(folder, cases[i], {1000, 2300}, out,
                               std::chrono::seconds{60});
    CAF_REQUIRE(!failed);
    auto seconds = probed_seconds(out);
    CAF_MESSAGE("case " << i << ": " << seconds << " s");
    CAF_CHECK_GREATER_OR_EQUAL(seconds, 1.2);
    CAF_CHECK_LESS_OR_EQUAL(seconds, 1.4);
  }
}
