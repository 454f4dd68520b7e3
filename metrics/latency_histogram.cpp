#include "metrics/latency_histogram.hpp"

#include <algorithm>

namespace agenttheo {

void latency_histogram::observe(std::chrono::nanoseconds elapsed) {
  auto ns = std::max<std::int64_t>(elapsed.count(), 0);
  auto bucket = std::lower_bound(bounds_ns.begin(), bounds_ns.end(), ns)
                - bounds_ns.begin();
  auto& mine = stripes_[this_thread_stripe()];
  mine.counts[static_cast<std::size_t>(bucket)].fetch_add(
    1, std::memory_order_relaxed);
  mine.sum_ns.fetch_add(static_cast<std::uint64_t>(ns),
                        std::memory_order_relaxed);
}

latency_histogram::snapshot latency_histogram::read() const {
  snapshot out;
  std::uint64_t sum_ns = 0;
  for (const auto& part : stripes_) {
    for (std::size_t i = 0; i < bucket_count; ++i)
      out.counts[i] += part.counts[i].load(std::memory_order_relaxed);
    sum_ns += part.sum_ns.load(std::memory_order_relaxed);
  }
  for (auto n : out.counts)
    out.count += n;
  out.sum_seconds = static_cast<double>(sum_ns) / 1e9;
  return out;
}

double latency_histogram::snapshot::quantile(double q) const {
  if (count == 0)
    return 0;
  auto rank = q * static_cast<double>(count);
  double seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    if (counts[i] == 0)
      continue;
    auto lower = i == 0 ? 0.0 : bounds_seconds[i - 1];
    // Past the last bound there is nothing to interpolate towards.
    if (i == bucket_count - 1)
      return lower;
    auto upper = bounds_seconds[i];
    if (seen + static_cast<double>(counts[i]) >= rank) {
      auto within = (rank - seen) / static_cast<double>(counts[i]);
      return lower + (upper - lower) * within;
    }
    seen += static_cast<double>(counts[i]);
  }
  return bounds_seconds.back();
}

latency_histogram::snapshot
latency_histogram::snapshot::since(const snapshot& earlier) const {
  snapshot out;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    out.counts[i] = counts[i] - earlier.counts[i];
    out.count += out.counts[i];
  }
  out.sum_seconds = sum_seconds - earlier.sum_seconds;
  return out;
}

} // namespace agenttheo
