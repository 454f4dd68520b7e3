#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pthread.h>
#include <sched.h>

namespace agenttheo {

/// What `IO_THREAD_CPUS` asks for: each I/O thread pinned to one CPU (by
/// default, `auto`: the CPUs in order, let go of while another process
/// fills one, `http/io_pin_policy.hpp`; or listed ones, kept), or every
/// thread left to the scheduler (`off`).
///
/// Why pin: on these VMs a thread woken by another's socket write is
/// queued on the writer's core and waits there for it to sleep while the
/// other core idles. A light session's token waits so behind the process
/// that wrote it; pinned, fewer of the I/O thread's wake-ups land behind
/// that process and every wait's tail is shorter (docs/performance.md,
/// "I/O threads pinned to cores").
struct io_thread_cpus {
  /// "auto": the CPUs this process may run on, in order, let go of while
  /// another process fills one.
  bool automatic = true;
  /// Listed CPUs, handed to the threads in order.
  std::vector<int> listed;
};

/// Reads `spec`: empty or "off" (none), "auto", or CPU numbers separated
/// by commas. Returns what is wrong with it, if anything.
std::optional<std::string>
parse_io_thread_cpus(std::string_view spec, io_thread_cpus& out);

/// What is wrong with `spec` on a process that may run on `allowed`: a
/// listed CPU that is not among them.
std::optional<std::string>
unavailable_io_thread_cpu(const io_thread_cpus& spec,
                          const std::vector<int>& allowed);

/// The CPUs to hand the I/O threads in the order they start (the pool
/// deals them, again from the first when there are more threads):
/// `allowed` (the CPUs the process may run on) for "auto", unless that is
/// one CPU; the listed ones otherwise; empty when nothing is pinned.
std::vector<int> plan_io_thread_cpus(const io_thread_cpus& spec,
                                     const std::vector<int>& allowed);

/// The CPUs the calling thread may run on, in ascending order: on the
/// main thread at startup, the process's (its affinity mask, which a
/// cpuset or `taskset` narrows); on a pinned thread, its CPU.
std::vector<int> cpus_this_thread_may_use();

/// `cpus` as IO_THREAD_CPUS lists them: "2,3".
std::string cpu_list(const std::vector<int>& cpus);

/// Pins `thread` (one of this process's) to `cpu`; false when the kernel
/// refuses.
bool pin_thread_to(pthread_t thread, int cpu);

/// Pins the calling thread to `cpu`; false when the kernel refuses.
bool pin_this_thread_to(int cpu);

/// The CPUs the whole process may run on: its main thread's, which the
/// server never pins. A thread or process started from a pinned I/O
/// thread inherits that thread's one CPU (Chromium would run its renderers
/// on it); it takes these instead.
class process_cpus {
public:
  /// Reads them; in the parent, before a fork.
  process_cpus();

  /// Gives them to the calling thread. One system call, so a forked child
  /// may call it before exec.
  bool give_to_this_thread() const;

  /// Gives them to `thread`, one of this process's (an I/O thread let go
  /// of its CPU).
  bool give_to(pthread_t thread) const;

private:
  cpu_set_t set_;
};

/// At the start of a thread an I/O thread may have started (a browser's
/// pipe, a detached actor a session spawned): names it `name` (it would be
/// `agenttheo.io` too), lets it run on any of the process's CPUs and gives
/// it the kernel's slice (not the I/O thread's, util/thread_slice.hpp);
/// what it forks inherits that.
void name_and_reset_this_thread(const char* name);

} // namespace agenttheo
