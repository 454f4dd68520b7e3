#define CAF_SUITE fanout_pacer

#include "actors/fanout_pacer.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

fanout_pacer::clock::time_point at(std::chrono::milliseconds ms) {
  return fanout_pacer::clock::time_point{} + 1h + ms;
}

} // namespace

CAF_TEST(an event after a quiet spell goes at once) {
  fanout_pacer pacer{100'000};
  CAF_CHECK(pacer.wait(at(0ms), 10'000) == 0ns);
  pacer.delivered(at(0ms));
  CAF_CHECK(pacer.wait(at(100ms), 10'000) == 0ns);
}

CAF_TEST(rounds are spaced by subscribers over the rate) {
  fanout_pacer pacer{100'000};
  pacer.delivered(at(0ms));
  // 10,000 subscribers at 100,000 deliveries/s: one round per 100 ms.
  CAF_CHECK(pacer.wait(at(30ms), 10'000) == 70ms);
  // A thousand: 10 ms.
  CAF_CHECK(pacer.wait(at(4ms), 1'000) == 6ms);
  // One subscriber waits 10 µs at most: in practice never.
  CAF_CHECK(pacer.wait(at(0ms), 1) <= 10us);
}

CAF_TEST(a zero rate never holds an event) {
  fanout_pacer pacer{0};
  pacer.delivered(at(0ms));
  CAF_CHECK(pacer.wait(at(0ms), 1'000'000) == 0ns);
}
