#include "latency_histogram.hpp"

#include <cstdlib>

namespace loadgen {

std::size_t latency_histogram::index_of(std::uint64_t v) {
  if (v < linear)
    return static_cast<std::size_t>(v);
  auto msb = 63u - static_cast<unsigned>(__builtin_clzll(v)); // >= 7
  auto octave = msb - 7u;
  if (octave >= octaves)
    return size - 1;
  auto within = (v >> (msb - 6u)) & (per_octave - 1);
  return linear + octave * per_octave + static_cast<std::size_t>(within);
}

std::uint64_t latency_histogram::lower_bound_of(std::size_t index) {
  if (index < linear)
    return index;
  auto octave = (index - linear) / per_octave;
  auto within = (index - linear) % per_octave;
  return (std::uint64_t{64} + within) << (octave + 1);
}

std::uint64_t latency_histogram::quantile(double q) const {
  if (count_ == 0)
    return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_));
  if (rank >= count_)
    rank = count_ - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < size; ++i) {
    seen += buckets_[i];
    if (seen > rank)
      return lower_bound_of(i);
  }
  return lower_bound_of(size - 1);
}

std::uint64_t latency_histogram::count_within(std::uint64_t micros) const {
  std::uint64_t n = 0;
  // Bucket i holds [lower_bound_of(i), lower_bound_of(i + 1)).
  for (std::size_t i = 0; i + 1 < size && lower_bound_of(i + 1) <= micros + 1; ++i)
    n += buckets_[i];
  return n;
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < size; ++i)
    buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

std::string latency_histogram::serialize() const {
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    if (buckets_[i] == 0)
      continue;
    if (!out.empty())
      out += ',';
    out += std::to_string(i) + ':' + std::to_string(buckets_[i]);
  }
  return out;
}

void latency_histogram::deserialize(const std::string& text) {
  const char* p = text.c_str();
  while (*p) {
    char* end = nullptr;
    auto index = std::strtoull(p, &end, 10);
    if (*end != ':')
      return;
    auto n = std::strtoull(end + 1, &end, 10);
    if (index < size) {
      buckets_[index] += n;
      count_ += n;
    }
    p = *end == ',' ? end + 1 : end;
  }
}

} // namespace loadgen
