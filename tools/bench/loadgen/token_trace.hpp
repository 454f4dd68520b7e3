#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace loadgen {

/// Every timed token one load process read, a line each, for what a
/// percentile cannot say: whether a tail is a few stalls or spread over the
/// run, which ordinals it holds (a run's last token), which streams.
///
/// Line: `<sent ns> <received ns> <stream index> <ordinal>`, both times
/// CLOCK_MONOTONIC, the ordinal -1 where the payload carries none (the
/// upstream read directly). Written through a 1 MiB buffer, so the file
/// costs the measured loop a write syscall every ~25,000 tokens, not one a
/// token.
class token_trace {
public:
  /// Opens (truncates) `path`; a path that cannot be opened is reported on
  /// stderr and traces nothing, the load goes on. Closed, and so written
  /// out, when the load process's loop ends.
  explicit token_trace(const std::string& path);
  ~token_trace();

  token_trace(const token_trace&) = delete;
  token_trace& operator=(const token_trace&) = delete;

  void record(std::uint64_t sent_ns, std::uint64_t received_ns, unsigned stream,
              std::int64_t ordinal);

private:
  std::FILE* file_ = nullptr;
  /// Ours: given no buffer, glibc's setvbuf keeps its own 4 KiB one
  /// whatever size is asked (164 writes for 660 KB, measured).
  std::string buffer_;
};

} // namespace loadgen
