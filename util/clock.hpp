#pragma once

#include <chrono>
#include <cstdint>

namespace agenttheo {

/// Wall-clock milliseconds since the Unix epoch, for timestamps clients show.
inline std::int64_t unix_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

} // namespace agenttheo
