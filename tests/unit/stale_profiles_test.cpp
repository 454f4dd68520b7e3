#define CAF_SUITE stale_profiles

#include "browser/stale_profiles.hpp"

#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "test_files.hpp"

using namespace agenttheo;
namespace fs = std::filesystem;

namespace {

/// A pid that was a process a moment ago and is none now.
pid_t dead_pid() {
  auto child = fork();
  if (child == 0)
    _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

/// A profile as mkdtemp makes it, with a file inside like Chromium's.
fs::path make_profile(const fs::path& dir, pid_t owner) {
  auto name = profile_template(dir.string(), owner);
  CAF_REQUIRE(mkdtemp(name.data()) != nullptr);
  fs::create_directories(fs::path{name} / "Default");
  std::ofstream{fs::path{name} / "Default" / "Cookies"} << "x";
  return name;
}

} // namespace

CAF_TEST(a profile is named for the server that made it) {
  CAF_CHECK_EQUAL(profile_template("/tmp", 4242),
                  "/tmp/agenttheo-chromium-4242-XXXXXX");
}

CAF_TEST(only the profiles of servers no longer running are removed) {
  test::scratch tmp;
  auto gone = make_profile(tmp.dir, dead_pid());
  auto also_gone = make_profile(tmp.dir, dead_pid());
  auto ours = make_profile(tmp.dir, getpid());
  auto other_live = make_profile(tmp.dir, getppid());
  // Not ours to judge: other names, a pid-less profile (an older server's
  // or a test's), a plain file with the prefix.
  fs::create_directory(tmp.dir / "agenttheo-chromium-abcdef");
  fs::create_directory(tmp.dir / "agenttheo-chromium--abcdef");
  fs::create_directory(tmp.dir / "something-else");
  std::ofstream{tmp.dir / ("agenttheo-chromium-" + std::to_string(dead_pid())
                           + "-file")}
    << "x";
  CAF_CHECK_EQUAL(remove_stale_profiles(tmp.dir.string()), 2u);
  CAF_CHECK(!fs::exists(gone));
  CAF_CHECK(!fs::exists(also_gone));
  CAF_CHECK(fs::exists(ours / "Default" / "Cookies"));
  CAF_CHECK(fs::exists(other_live));
  CAF_CHECK(fs::exists(tmp.dir / "agenttheo-chromium-abcdef"));
  CAF_CHECK(fs::exists(tmp.dir / "agenttheo-chromium--abcdef"));
  CAF_CHECK(fs::exists(tmp.dir / "something-else"));
  CAF_CHECK_EQUAL(std::distance(fs::directory_iterator{tmp.dir},
                                fs::directory_iterator{}),
                  6);
  // A second sweep finds nothing.
  CAF_CHECK_EQUAL(remove_stale_profiles(tmp.dir.string()), 0u);
}

CAF_TEST(a folder that cannot be read removes nothing) {
  CAF_CHECK_EQUAL(remove_stale_profiles("/nonexistent-agenttheo-dir"), 0u);
}
