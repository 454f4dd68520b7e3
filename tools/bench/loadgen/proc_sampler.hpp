#pragma once

#include <cstdint>
#include <vector>

namespace loadgen {

/// What /proc says of the processes under test (a server may be several:
/// nginx's workers), summed over them.
struct proc_sample {
  std::uint64_t rss_kib = 0;
  double cpu_s = 0; // user + system time so far
};

class proc_sampler {
public:
  explicit proc_sampler(std::vector<int> pids) : pids_(std::move(pids)) {}

  bool empty() const { return pids_.empty(); }

  proc_sample sample() const;

private:
  std::vector<int> pids_;
};

} // namespace loadgen
