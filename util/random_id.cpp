#include "util/random_id.hpp"

#include <cstdio>

#include "util/thread_random.hpp"

namespace agenttheo {

std::string random_id(std::string_view prefix) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(thread_random()()));
  return std::string{prefix} + hex;
}

} // namespace agenttheo
