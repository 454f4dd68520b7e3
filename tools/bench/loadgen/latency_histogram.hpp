#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace loadgen {

/// Delivery latencies in microseconds, log-linear: exact below 128 µs, then
/// 64 buckets per power of two (1.6% resolution) up to ~2^40 µs. Fixed size,
/// so recording never allocates and two histograms merge by adding buckets.
class latency_histogram {
public:
  static constexpr std::size_t linear = 128;
  static constexpr std::size_t per_octave = 64;
  static constexpr std::size_t octaves = 34;
  static constexpr std::size_t size = linear + per_octave * octaves;

  void record(std::uint64_t micros) {
    ++buckets_[index_of(micros)];
    ++count_;
  }

  std::uint64_t count() const {
    return count_;
  }

  /// The value at quantile q (0..1), as the bucket's lower bound.
  std::uint64_t quantile(double q) const;

  /// How many were at most `micros` (to the bucket below it: never more
  /// than the exact count).
  std::uint64_t count_within(std::uint64_t micros) const;

  void merge(const latency_histogram& other);

  /// Non-empty buckets as "index:count,..." (how child processes report).
  std::string serialize() const;
  void deserialize(const std::string& text);

private:
  static std::size_t index_of(std::uint64_t v);
  static std::uint64_t lower_bound_of(std::size_t index);

  std::array<std::uint64_t, size> buckets_{};
  std::uint64_t count_ = 0;
};

} // namespace loadgen
