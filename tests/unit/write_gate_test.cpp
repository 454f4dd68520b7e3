#define CAF_SUITE write_gate

#include <caf/test/unit_test.hpp>

#include "streams/write_gate.hpp"

using agenttheo::write_gate;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t limit = 1000;

bool flushes(write_gate::next n) {
  return n == write_gate::next::flush;
}

} // namespace

CAF_TEST(an idle socket takes frames at once and a busy one makes them wait) {
  write_gate gate;
  gate.add(10);
  CAF_CHECK(flushes(gate.release(false)));
  CAF_CHECK(gate.open(limit));
  // The first write is in flight: the next frames wait for it...
  gate.add(10);
  gate.add(10);
  CAF_CHECK(flushes(gate.release(false)));
  CAF_CHECK(!gate.open(limit));
  // ...and go together once it drained.
  CAF_CHECK(gate.drained());
  CAF_CHECK(gate.open(limit));
}

CAF_TEST(frames past the queue limit or at the end go whatever the socket does) {
  write_gate gate;
  gate.add(10);
  CAF_CHECK(gate.open(limit));
  gate.add(limit);
  CAF_CHECK(!gate.open(limit));
  gate.add(1);
  CAF_CHECK(gate.open(limit)); // the socket then drops the slow client
  gate.add(10);
  CAF_CHECK(gate.open(limit, true));
}

CAF_TEST(nothing waiting opens nothing and leaves the socket idle) {
  write_gate gate;
  CAF_CHECK(!gate.open(limit));
  gate.add(10);
  CAF_CHECK(gate.open(limit));
}

CAF_TEST(a batch window holds frames until it closes but never the last) {
  write_gate gate{20ms};
  CAF_CHECK_EQUAL(gate.window().count(), 20);
  gate.add(10);
  CAF_CHECK(gate.release(false) == write_gate::next::start_window);
  gate.add(10);
  CAF_CHECK(gate.release(false) == write_gate::next::wait);
  // The window closes: one flush for both.
  CAF_CHECK(gate.open(limit));
  gate.add(10);
  CAF_CHECK(gate.release(false) == write_gate::next::start_window);
  // A write drained while a window is open: the window's flush sends.
  CAF_CHECK(!gate.drained());
  gate.add(10);
  CAF_CHECK(flushes(gate.release(true)));
  CAF_CHECK(gate.open(limit, true));
}
