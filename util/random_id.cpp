#include "util/random_id.hpp"

#include <cstdio>
#include <random>

namespace agenttheo {

std::string random_id(std::string_view prefix) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(random()));
  return std::string{prefix} + hex;
}

} // namespace agenttheo
