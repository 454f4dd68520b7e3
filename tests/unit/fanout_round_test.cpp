#define CAF_SUITE fanout_round

#include "actors/fanout_round.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(the first round goes at once) {
  int calls = 0;
  fanout_round round{[&] { ++calls; }};
  CAF_CHECK(round.wait());
  CAF_CHECK_EQUAL(calls, 0);
}

CAF_TEST(a round in subscribers mailboxes holds the next until dropped) {
  int calls = 0;
  fanout_round round{[&] { ++calls; }};
  auto ticket = round.start();
  std::vector<fanout_round::ticket> mailboxes(3, ticket);
  ticket.reset();
  CAF_CHECK(!round.wait());
  CAF_CHECK(!round.wait()); // asking twice still calls back once
  mailboxes.pop_back();
  mailboxes.pop_back();
  CAF_CHECK_EQUAL(calls, 0);
  mailboxes.clear();
  CAF_CHECK_EQUAL(calls, 1);
  CAF_CHECK(round.wait());
  CAF_CHECK_EQUAL(calls, 1);
}

CAF_TEST(a round absorbed before anyone waits calls nobody) {
  int calls = 0;
  fanout_round round{[&] { ++calls; }};
  round.start(); // dropped at once: no subscriber
  CAF_CHECK(round.wait());
  auto next = round.start();
  next.reset();
  CAF_CHECK(round.wait());
  CAF_CHECK_EQUAL(calls, 0);
}

CAF_TEST(exactly one side acts when the last ticket drops on another thread) {
  // The session waits while subscribers on other threads drop their
  // copies: each round either goes at once (wait() true) or is called back,
  // never both, never neither.
  std::atomic<int> calls{0};
  fanout_round round{[&] { ++calls; }};
  int went_at_once = 0;
  constexpr int rounds = 2000;
  for (int i = 0; i < rounds; ++i) {
    auto ticket = round.start();
    std::vector<std::thread> holders;
    for (int k = 0; k < 2; ++k)
      holders.emplace_back([copy = ticket]() mutable { copy.reset(); });
    ticket.reset();
    if (round.wait())
      ++went_at_once;
    for (auto& t : holders)
      t.join();
  }
  CAF_CHECK_EQUAL(went_at_once + calls.load(), rounds);
}
