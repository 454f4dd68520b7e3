#define CAF_SUITE published_chain

#include "protocol/published_chain.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

event_ptr ev(std::uint64_t id) {
  return encode(event{id, event_type::token, "s", "m", R"({"token":"x"})"});
}

std::vector<std::uint64_t> after(const published_link& link) {
  std::vector<std::uint64_t> ids;
  for (auto* next = link.next(); next; next = next->next())
    ids.push_back(next->event()->raw.id);
  return ids;
}

} // namespace

CAF_TEST(a reader sees what was published after its link in order) {
  published_chain chain;
  CAF_CHECK(chain.last() == nullptr);
  chain.publish(ev(1));
  auto first = chain.last();
  CAF_CHECK_EQUAL(first->event()->raw.id, 1u);
  CAF_CHECK(after(*first).empty());
  chain.publish(ev(2));
  chain.publish(ev(3));
  CAF_CHECK_EQUAL(after(*first), (std::vector<std::uint64_t>{2, 3}));
  CAF_CHECK_EQUAL(chain.last()->event()->raw.id, 3u);
}

CAF_TEST(a held link keeps every later one alive and nothing before it) {
  published_chain chain;
  chain.publish(ev(1));
  std::weak_ptr<const encoded_event> oldest = chain.last()->event();
  chain.publish(ev(2));
  auto held = chain.last();
  chain.publish(ev(3));
  chain.publish(ev(4));
  // Nobody holds the first link: it went when the session moved on.
  CAF_CHECK(oldest.expired());
  std::weak_ptr<const encoded_event> third = held->next()->event();
  chain = published_chain{};
  CAF_CHECK(!third.expired());
  CAF_CHECK_EQUAL(after(*held), (std::vector<std::uint64_t>{3, 4}));
  held.reset();
  CAF_CHECK(third.expired());
}

CAF_TEST(a long chain goes without a recursion per link) {
  // A million links freed by a recursion per link overflow the 8 MiB stack
  // (checked with the loop taken out; 200,000 do not).
  published_chain chain;
  chain.publish(ev(1));
  auto head = chain.last();
  for (std::uint64_t id = 2; id <= 1'000'000; ++id)
    chain.publish(ev(id));
  std::weak_ptr<const encoded_event> newest = chain.last()->event();
  chain = published_chain{};
  CAF_CHECK(!newest.expired()); // the head still holds the whole chain
  head.reset();
  CAF_CHECK(newest.expired()); // and all of it went with the head
}

CAF_TEST(a reader on another thread sees every link whole) {
  constexpr std::uint64_t count = 20'000;
  published_chain chain;
  chain.publish(ev(0));
  auto start = chain.last();
  std::atomic<bool> done{false};
  std::uint64_t seen = 0;
  bool in_order = true;
  std::thread reader{[&] {
    const published_link* at = start.get();
    while (seen < count) {
      auto* next = at->next();
      if (!next) {
        std::this_thread::yield();
        continue;
      }
      in_order = in_order && next->event()->raw.id == seen + 1
                 && next->event()->sse_frame.find("\"token\":\"x\"") != std::string::npos;
      ++seen;
      at = next;
    }
    done = true;
  }};
  for (std::uint64_t id = 1; id <= count; ++id)
    chain.publish(ev(id));
  reader.join();
  CAF_CHECK(done);
  CAF_CHECK_EQUAL(seen, count);
  CAF_CHECK(in_order);
}
