#pragma once

#include <cstddef>

namespace agenttheo {

/// Asks the CPU to bring the cache lines of `[at, at + bytes)` in, and goes
/// on: for memory a loop touches next while it waits on this item (a
/// subscriber's writer, while the socket call for the one before runs).
inline void warm_lines(const void* at, std::size_t bytes = 1) {
  constexpr std::size_t line = 64;
  const auto* first = static_cast<const char*>(at);
  for (std::size_t offset = 0; offset < bytes; offset += line)
    __builtin_prefetch(first + offset, 0, 2);
}

} // namespace agenttheo
