#pragma once

#include <cstddef>
#include <cstdint>

namespace agenttheo {

/// Asks the CPU to bring every cache line `[at, at + bytes)` touches in,
/// and goes on: for memory a loop touches next while it waits on this item
/// (a subscriber's writer, while the socket call for the one before runs).
inline void warm_lines(const void* at, std::size_t bytes = 1) {
  constexpr std::uintptr_t line = 64;
  auto first = reinterpret_cast<std::uintptr_t>(at) & ~(line - 1);
  auto end = reinterpret_cast<std::uintptr_t>(at) + bytes;
  for (auto address = first; address < end; address += line)
    __builtin_prefetch(reinterpret_cast<const void*>(address), 0, 2);
}

} // namespace agenttheo
