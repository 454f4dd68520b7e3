#define CAF_SUITE thread_slice

#include "util/thread_slice.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "util/cpu_affinity.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

/// Whether this kernel grants slices of a thread's own (Linux 6.12+),
/// from its release alone: what the tests below expect.
bool kernel_has_custom_slices() {
  utsname name{};
  CAF_REQUIRE_EQUAL(uname(&name), 0);
  int major = 0;
  int minor = 0;
  CAF_REQUIRE_EQUAL(std::sscanf(name.release, "%d.%d", &major, &minor), 2);
  return major > 6 || (major == 6 && minor >= 12);
}

/// What `slice_of_thread` should read after asking for `slice`.
std::optional<thread_slice> granted(thread_slice slice) {
  return kernel_has_custom_slices() ? std::optional{slice} : std::nullopt;
}

std::string parsed(std::string_view text) {
  thread_slice slice{-1};
  if (auto wrong = parse_thread_slice(text, slice))
    return "error: " + *wrong;
  return thread_slice_text(slice);
}

} // namespace

CAF_TEST(slices are read with their unit within the range the kernel grants) {
  CAF_CHECK_EQUAL(parsed("off"), "off");
  CAF_CHECK_EQUAL(parsed("100us"), "100us");
  CAF_CHECK_EQUAL(parsed("250us"), "250us");
  CAF_CHECK_EQUAL(parsed("2ms"), "2ms");
  CAF_CHECK_EQUAL(parsed("2000us"), "2ms");
  CAF_CHECK_EQUAL(parsed("100ms"), "100ms");
  auto refused = "error: off, or a slice from 100us to 100ms (e.g. 100us, 2ms)";
  for (auto text : {"99us", "101ms", "100", "1s", "ms", "-100us", "1.5ms", "",
                    "18446744073709552ms", "99999999999999999999us"})
    CAF_CHECK_EQUAL(parsed(text), refused);
}

CAF_TEST(a thread gets the slice it asks for and the default again) {
  std::optional<thread_slice> asked;
  std::optional<thread_slice> again;
  std::optional<thread_slice> other;
  std::optional<thread_slice> before;
  bool refused_none = true;
  std::thread{[&] {
    before = slice_of_thread();
    refused_none = request_slice_for_this_thread(100us)
                   && request_slice_for_this_thread(300us);
    asked = slice_of_thread();
    // Read from another thread by its id, as a test reads the server's.
    auto tid = gettid();
    std::thread{[&] { other = slice_of_thread(tid); }}.join();
    give_this_thread_the_kernels_slice();
    again = slice_of_thread();
  }}.join();
  CAF_CHECK(refused_none);
  CAF_CHECK_EQUAL(asked, granted(300us));
  CAF_CHECK_EQUAL(other, granted(300us));
  CAF_CHECK_EQUAL(again, before);
  if (kernel_has_custom_slices())
    CAF_CHECK_NOT_EQUAL(before, std::optional{thread_slice{300}});
  CAF_CHECK(!request_slice_for_this_thread(0us));
}

CAF_TEST(what a thread with a short slice starts gets the default) {
  std::optional<thread_slice> kernels;
  std::optional<thread_slice> inherited;
  std::optional<thread_slice> reset;
  int child_status = -1;
  std::thread{[&] {
    kernels = slice_of_thread();
    CAF_REQUIRE(request_slice_for_this_thread(100us));
    std::thread{[&] {
      inherited = slice_of_thread();
      name_and_reset_this_thread("agenttheo.test");
      reset = slice_of_thread();
    }}.join();
    auto child = fork();
    if (child == 0) {
      // System calls only until _exit: the parent has other threads.
      give_this_thread_the_kernels_slice();
      _exit(slice_of_thread() == kernels ? 0 : 1);
    }
    waitpid(child, &child_status, 0);
  }}.join();
  CAF_CHECK_EQUAL(inherited, granted(100us));
  CAF_CHECK_EQUAL(reset, kernels);
  CAF_CHECK(WIFEXITED(child_status));
  CAF_CHECK_EQUAL(WEXITSTATUS(child_status), 0);
}
