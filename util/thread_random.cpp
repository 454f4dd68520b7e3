#include "util/thread_random.hpp"

namespace agenttheo {

std::mt19937_64& thread_random() {
  thread_local std::mt19937_64 source{std::random_device{}()};
  return source;
}

} // namespace agenttheo
