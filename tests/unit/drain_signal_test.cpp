#define CAF_SUITE drain_signal

#include "streams/drain_signal.hpp"

#include <atomic>
#include <thread>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(a socket that has written everything is idle and wakes nobody) {
  int wakes = 0;
  drain_signal drain{[&] { ++wakes; }};
  CAF_CHECK(drain.idle_or_wait());
  drain.handed();
  drain.drained(); // written before the actor had more
  CAF_CHECK(drain.idle_or_wait());
  CAF_CHECK_EQUAL(wakes, 0);
}

CAF_TEST(an actor that waits for a busy socket is woken once) {
  int wakes = 0;
  drain_signal drain{[&] { ++wakes; }};
  drain.handed();
  CAF_CHECK(!drain.idle_or_wait());
  CAF_CHECK(!drain.idle_or_wait());
  CAF_CHECK_EQUAL(wakes, 0);
  drain.drained();
  CAF_CHECK_EQUAL(wakes, 1);
  drain.drained(); // a heartbeat's write: nobody waits
  CAF_CHECK_EQUAL(wakes, 1);
  CAF_CHECK(drain.idle_or_wait());
}

CAF_TEST(exactly one side acts when the drain races the question) {
  // Each cycle the actor hands a batch and asks; the socket's thread drains
  // meanwhile: the actor goes on at once or is woken, never both, never
  // neither (which would stall the stream).
  std::atomic<int> wakes{0};
  drain_signal drain{[&] { ++wakes; }};
  constexpr int cycles = 20000;
  int went_at_once = 0;
  for (int i = 0; i < cycles; ++i) {
    drain.handed();
    std::thread socket{[&] { drain.drained(); }};
    if (drain.idle_or_wait())
      ++went_at_once;
    socket.join();
  }
  CAF_CHECK_EQUAL(went_at_once + wakes.load(), cycles);
}
