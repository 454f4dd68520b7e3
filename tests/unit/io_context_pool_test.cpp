#define CAF_SUITE io_context_pool

#include "http/io_context_pool.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <caf/test/unit_test.hpp>

#include "app/io_scheduler.hpp"
#include "http/curl_io_engine.hpp"
#include "llm/curl_driver.hpp"
#include "llm/curl_engine.hpp"
#include "loopback_provider.hpp"
#include "util/after_ready_io.hpp"
#include "util/cpu_affinity.hpp"

using namespace agenttheo;
using http::io_context_pool;
namespace net = boost::asio;

namespace {

/// What `current()` says on a thread of `context`.
boost::asio::io_context*
current_on(io_context_pool& pool, net::io_context& context) {
  std::promise<net::io_context*> seen;
  net::post(context, [&] { seen.set_value(pool.current()); });
  return seen.get_future().get();
}

/// The CPUs the thread running `context` may run on.
std::vector<int> cpus_of_thread_on(net::io_context& context) {
  std::promise<std::vector<int>> seen;
  net::post(context, [&] { seen.set_value(cpus_this_thread_may_use()); });
  return seen.get_future().get();
}

} // namespace

CAF_TEST(each thread runs on the CPU it is given) {
  auto allowed = cpus_this_thread_may_use();
  // Reversed, so a thread left where it started would not pass by chance.
  std::vector<int> cpus{allowed.back(), allowed.front()};
  io_context_pool pool{3, 1, true, cpus};
  pool.run();
  CAF_CHECK_EQUAL(cpus_of_thread_on(pool.at(0)), std::vector<int>{cpus[0]});
  CAF_CHECK_EQUAL(cpus_of_thread_on(pool.at(1)), std::vector<int>{cpus[1]});
  // More threads than CPUs: again from the first.
  CAF_CHECK_EQUAL(cpus_of_thread_on(pool.at(2)), std::vector<int>{cpus[0]});
  io_context_pool unpinned{1, 1};
  unpinned.run();
  CAF_CHECK_EQUAL(cpus_of_thread_on(unpinned.at(0)), allowed);
}

CAF_TEST(a thread of a context finds that context and stays on it) {
  io_context_pool pool{3, 1};
  pool.run();
  for (std::size_t i = 0; i < pool.size(); ++i)
    CAF_CHECK_EQUAL(current_on(pool, pool.at(i)), &pool.at(i));
  std::promise<net::io_context*> chosen;
  net::post(pool.at(2), [&] { chosen.set_value(&pool.here_or_next()); });
  CAF_CHECK_EQUAL(chosen.get_future().get(), &pool.at(2));
}

CAF_TEST(work after ready io waits for the handlers a context holds) {
  io_context_pool pool{1, 1};
  pool.run();
  std::vector<std::string> order;
  std::promise<void> done;
  net::post(pool.at(0), [&] {
    // A socket found ready with this one: already queued.
    net::post(pool.at(0), [&] { order.push_back("ready"); });
    after_ready_io([&] {
      order.push_back("after");
      done.set_value();
    });
    order.push_back("handler");
  });
  done.get_future().get();
  CAF_CHECK_EQUAL(order,
                  (std::vector<std::string>{"handler", "ready", "after"}));
}

CAF_TEST(work after ready io runs at once off the pool) {
  std::vector<std::string> order;
  after_ready_io([&] { order.push_back("after"); });
  order.push_back("caller");
  CAF_CHECK_EQUAL(order, (std::vector<std::string>{"after", "caller"}));
}

CAF_TEST(another thread finds none and takes the contexts in turn) {
  io_context_pool pool{2, 1};
  CAF_CHECK(pool.current() == nullptr);
  std::set<net::io_context*> taken;
  for (int i = 0; i < 4; ++i)
    taken.insert(&pool.here_or_next());
  CAF_CHECK_EQUAL(taken.size(), 2u);
  CAF_CHECK(taken.count(&pool.at(0)) == 1 && taken.count(&pool.at(1)) == 1);
}

CAF_TEST(a context shared by threads is current on each of them) {
  io_context_pool pool{1, 2};
  pool.run();
  CAF_CHECK_EQUAL(pool.threads_per_context(), 2u);
  // Two jobs that wait for each other run on the two threads at once.
  std::atomic<int> arrived{0};
  std::array<std::promise<net::io_context*>, 2> seen;
  for (auto& s : seen)
    net::post(pool.at(0), [&] {
      ++arrived;
      while (arrived.load() < 2)
        std::this_thread::yield();
      s.set_value(pool.current());
    });
  for (auto& s : seen)
    CAF_CHECK_EQUAL(s.get_future().get(), &pool.at(0));
}

CAF_TEST(what was queued when the pool stopped runs on the threads kept after) {
  io_context_pool pool{2, 1};
  pool.run();
  pool.stop();
  std::array<std::promise<net::io_context*>, 2> ran;
  for (std::size_t i = 0; i < 2; ++i)
    net::post(pool.at(i), [&, i] { ran[i].set_value(pool.current()); });
  pool.run_one_thread_each();
  for (std::size_t i = 0; i < 2; ++i) {
    auto done = ran[i].get_future();
    CAF_REQUIRE(done.wait_for(std::chrono::seconds{5})
                == std::future_status::ready);
    CAF_CHECK_EQUAL(done.get(), &pool.at(i));
  }
}

CAF_TEST(an actor made ready on an I / O thread runs on that thread) {
  io_context_pool pool{2, 1};
  pool.run();
  {
    caf::actor_system_config cfg;
    run_actors_on(cfg, pool);
    caf::actor_system sys{cfg};
    // Eight actors, each lazily started, so the message is what schedules
    // it (one that found its actor still running would run where that one
    // is): each sent from a thread of one context, in turn.
    for (int i = 0; i < 8; ++i) {
      auto& from = pool.at(static_cast<std::size_t>(i) % pool.size());
      auto ran_on = std::make_shared<std::promise<net::io_context*>>();
      auto probe = sys.spawn<caf::lazy_init>(
        [&pool, ran_on](caf::event_based_actor* self) {
          return caf::behavior{[&pool, ran_on, self](int) {
            ran_on->set_value(pool.current());
            self->quit();
          }};
        });
      net::post(from, [probe] { caf::anon_send(probe, 1); });
      auto done = ran_on->get_future();
      CAF_REQUIRE(done.wait_for(std::chrono::seconds{5})
                  == std::future_status::ready);
      CAF_CHECK_EQUAL(done.get(), &from);
    }
  }
}

namespace {

/// The context whose thread read the body of a transfer to `url` asked to
/// be `near`.
net::io_context* read_on(curl_driver& driver, const std::string& url,
                         const void* near, io_context_pool& pool) {
  auto read = std::make_shared<std::promise<net::io_context*>>();
  http_transfer transfer{
    url, {}, "", std::chrono::seconds{5}, std::chrono::seconds{5}, near};
  transfer_callbacks callbacks;
  callbacks.on_body = [read, &pool](std::string_view,
                                    std::chrono::nanoseconds) {
    read->set_value(pool.current());
  };
  auto done = read->get_future();
  driver.start(std::move(transfer), std::move(callbacks));
  if (done.wait_for(std::chrono::seconds{10}) != std::future_status::ready)
    return nullptr;
  return done.get();
}

} // namespace

CAF_TEST(a transfer is read on the context it is asked to be near) {
  test::answering_provider server{true};
  io_context_pool pool{2, 1};
  pool.run();
  {
    curl_driver driver{http::make_curl_io_engine(pool)};
    for (int round = 0; round < 4; ++round)
      for (std::size_t i = 0; i < pool.size(); ++i)
        CAF_CHECK_EQUAL(read_on(driver, server.url(), &pool.at(i), pool),
                        &pool.at(i));
    // Near nothing of the pool: the contexts in turn.
    std::set<net::io_context*> anywhere;
    for (int i = 0; i < 4; ++i)
      anywhere.insert(read_on(driver, server.url(), nullptr, pool));
    CAF_CHECK_EQUAL(anywhere.size(), 2u);
  }
  pool.stop();
}
