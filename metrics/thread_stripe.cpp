#include "metrics/thread_stripe.hpp"

#include <atomic>

namespace agenttheo {

std::size_t this_thread_stripe() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t mine
    = next.fetch_add(1, std::memory_order_relaxed) % stripe_count;
  return mine;
}

} // namespace agenttheo
