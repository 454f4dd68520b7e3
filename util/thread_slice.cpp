#include "util/thread_slice.hpp"

#include <charconv>
#include <cerrno>
#include <cstdint>
#include <system_error>

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace agenttheo {

namespace {

/// `struct sched_attr` as the kernel reads it (include/uapi/linux/sched/
/// types.h, the first version: 48 bytes); glibc has no wrapper.
struct sched_attr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};

/// Keep the thread's policy; only its parameters (nice, slice) change.
constexpr std::uint64_t keep_policy = 0x08;

bool fair_policy(int policy) {
  return policy == SCHED_OTHER || policy == SCHED_BATCH;
}

/// The number `text` holds before `unit`, if that is all it holds.
std::optional<std::uint64_t> number_before(std::string_view text,
                                           std::string_view unit) {
  if (text.size() <= unit.size()
      || text.substr(text.size() - unit.size()) != unit)
    return std::nullopt;
  auto digits = text.substr(0, text.size() - unit.size());
  std::uint64_t n = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (error != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  return n;
}

/// Sets the calling thread's requested runtime, its slice; 0 gives it the
/// kernel's.
bool set_runtime_of_this_thread(std::chrono::nanoseconds runtime) {
  if (!fair_policy(sched_getscheduler(0)))
    return false;
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (errno != 0)
    return false;
  sched_attr attr{};
  attr.size = sizeof attr;
  attr.sched_flags = keep_policy;
  attr.sched_nice = nice;
  attr.sched_runtime = static_cast<std::uint64_t>(runtime.count());
  return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
}

} // namespace

std::optional<std::string> parse_thread_slice(std::string_view text,
                                              thread_slice& out) {
  if (text == "off" || text == "0") {
    out = thread_slice{0};
    return std::nullopt;
  }
  constexpr auto shortest
    = static_cast<std::uint64_t>(shortest_thread_slice.count());
  constexpr auto longest
    = static_cast<std::uint64_t>(longest_thread_slice.count());
  std::optional<std::uint64_t> us = number_before(text, "us");
  if (!us)
    if (auto ms = number_before(text, "ms"); ms && *ms <= longest / 1000)
      us = *ms * 1000; // more would wrap, and is out of range anyway
  if (!us || *us < shortest || *us > longest)
    return "off, or a slice from 100us to 100ms (e.g. 100us, 2ms)";
  out = thread_slice{static_cast<thread_slice::rep>(*us)};
  return std::nullopt;
}

std::string thread_slice_text(thread_slice slice) {
  auto us = slice.count();
  if (us == 0)
    return "off";
  if (us % 1000 == 0)
    return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

bool request_slice_for_this_thread(thread_slice slice) {
  return slice.count() > 0 && set_runtime_of_this_thread(slice);
}

bool give_this_thread_the_kernels_slice() {
  return set_runtime_of_this_thread(std::chrono::nanoseconds{0});
}

std::optional<thread_slice> slice_of_thread(int tid) {
  sched_attr attr{};
  if (syscall(SYS_sched_getattr, tid, &attr, sizeof attr, 0) != 0
      || attr.sched_runtime == 0)
    return std::nullopt;
  return std::chrono::duration_cast<thread_slice>(
    std::chrono::nanoseconds{attr.sched_runtime});
}

} // namespace agenttheo
