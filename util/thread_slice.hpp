#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// The CPU slice a thread asks the kernel for (`IO_THREAD_SLICE`).
///
/// Linux's fair scheduler (EEVDF, 6.6+) runs the eligible task with the
/// earliest virtual deadline, a task's deadline lying its slice ahead of
/// when it became eligible. From 6.12 a task may ask for its own slice
/// (`sched_attr.sched_runtime`, 100 µs to 100 ms; no privilege needed, its
/// share of the CPU is unchanged), and a woken task with a shorter slice
/// than the running one may preempt it. An I/O thread runs for tens of
/// µs a wake-up: with the default slice (~0.7-3 ms) it waits behind the
/// process whose socket write woke it, often the token upstream, until
/// that process sleeps; with a short one it runs at once
/// (docs/performance.md, "I/O threads ask for short slices").
using thread_slice = std::chrono::microseconds;

/// The shortest and longest slices the kernel grants.
inline constexpr thread_slice shortest_thread_slice{100};
inline constexpr thread_slice longest_thread_slice{100'000};

/// Reads `text`: "off" (the kernel's slice), or a slice from 100us to
/// 100ms written with its unit (`100us`, `2ms`). Returns what is wrong
/// with it, if anything.
std::optional<std::string> parse_thread_slice(std::string_view text,
                                              thread_slice& out);

/// `text` as IO_THREAD_SLICE shows it: "off", "100us", "2ms".
std::string thread_slice_text(thread_slice slice);

/// Asks the kernel to give the calling thread `slice`, keeping its policy
/// and niceness; false when it refuses (a thread under a real-time
/// policy has no fair slice). A kernel before 6.12 accepts and ignores it.
/// What the thread starts or forks from then on inherits it.
bool request_slice_for_this_thread(thread_slice slice);

/// Gives the calling thread the kernel's own slice again: at the start of
/// a thread or a child process an I/O thread started. System calls only,
/// so a forked child may call it before exec.
bool give_this_thread_the_kernels_slice();

/// The slice the kernel gives thread `tid` (0: the calling thread), or
/// nothing when it does not tell (a kernel before 6.12, or no such thread).
std::optional<thread_slice> slice_of_thread(int tid = 0);

} // namespace agenttheo
