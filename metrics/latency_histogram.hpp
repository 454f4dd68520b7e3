#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "metrics/thread_stripe.hpp"

namespace agenttheo {

/// A lock-free latency histogram with fixed buckets, shared by the threads
/// that observe (relaxed atomic adds to the calling thread's stripe) and
/// the registry that reads (the sum of the stripes). Its buckets are
/// Prometheus's `le` bounds, from 50 µs to 10 s.
class latency_histogram {
public:
  static constexpr std::array<double, 17> bounds_seconds{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
  static constexpr std::size_t bucket_count = bounds_seconds.size() + 1;

  /// What was observed up to now; `counts[i]` is bucket i alone (not
  /// cumulative), the last one past every bound.
  struct snapshot {
    std::array<std::uint64_t, bucket_count> counts{};
    std::uint64_t count = 0;
    double sum_seconds = 0;

    /// The `q` quantile (0..1) in seconds, interpolated within its bucket;
    /// 0 when nothing was observed.
    double quantile(double q) const;

    /// What was observed after `earlier` (both from the same histogram).
    snapshot since(const snapshot& earlier) const;
  };

  void observe(std::chrono::nanoseconds elapsed);

  snapshot read() const;

private:
  /// The bounds in nanoseconds: what `observe` compares (no division, no
  /// floating point on the hot path).
  static constexpr std::array<std::int64_t, bounds_seconds.size()> bounds_ns = [] {
    std::array<std::int64_t, bounds_seconds.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::int64_t>(bounds_seconds[i] * 1e9 + 0.5);
    return out;
  }();

  /// One thread's adds (thread_stripe.hpp).
  struct alignas(stripe_alignment) stripe {
    std::array<std::atomic<std::uint64_t>, bucket_count> counts{};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<stripe, stripe_count> stripes_{};
};

} // namespace agenttheo
