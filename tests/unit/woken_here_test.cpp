#define CAF_SUITE woken_here

#include "util/woken_here.hpp"

#include <chrono>
#include <future>
#include <memory>
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
#include "http/io_context_pool.hpp"

using namespace agenttheo;
namespace net = boost::asio;

namespace {

/// The schedulers whose kept jobs ran, in order.
std::vector<std::string> ran;

void note(void* scheduler) {
  ran.push_back(*static_cast<std::string*>(scheduler));
}

void other_note(void* scheduler) {
  note(scheduler);
}

} // namespace

CAF_TEST(nothing is kept with no scope open) {
  std::string s{"s"};
  CAF_CHECK(!woken_here::run_at_end(&note, &s));
}

CAF_TEST(what a scope kept runs once when the outermost one ends) {
  ran.clear();
  std::string s{"s"};
  {
    woken_here outer;
    CAF_CHECK(woken_here::run_at_end(&note, &s));
    {
      woken_here inner;
      CAF_CHECK(woken_here::run_at_end(&note, &s));
    }
    CAF_CHECK(ran.empty());
    CAF_CHECK(woken_here::run_at_end(&note, &s));
  }
  CAF_CHECK_EQUAL(ran, (std::vector<std::string>{"s"}));
  // Ended: the next job finds no scope.
  CAF_CHECK(!woken_here::run_at_end(&note, &s));
}

CAF_TEST(another scheduler queues its own while one waits for the end) {
  ran.clear();
  std::string s{"s"}, t{"t"};
  {
    woken_here wakes;
    CAF_CHECK(woken_here::run_at_end(&note, &s));
    CAF_CHECK(!woken_here::run_at_end(&note, &t));
    CAF_CHECK(!woken_here::run_at_end(&other_note, &s));
  }
  CAF_CHECK_EQUAL(ran, (std::vector<std::string>{"s"}));
}

namespace {

/// Actors on one I/O thread (one thread per context: a queued job could
/// only run after the handler that queued it returned), and one that says
/// where its message arrived.
struct io_actors {
  http::io_context_pool pool{1, 1};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<std::promise<std::thread::id>> arrived
    = std::make_shared<std::promise<std::thread::id>>();
  std::shared_future<std::thread::id> done = arrived->get_future().share();
  caf::actor probe;

  io_actors() {
    pool.run();
    run_actors_on(cfg, pool);
    sys = std::make_unique<caf::actor_system>(cfg);
    probe = sys->spawn<caf::lazy_init>(
      [arrived = arrived](caf::event_based_actor* self) {
        return caf::behavior{[=](int) {
          arrived->set_value(std::this_thread::get_id());
          self->quit();
        }};
      });
  }

  ~io_actors() {
    probe = nullptr;
    sys.reset(); // before the pool its actors run on
  }

  bool ran() const {
    return done.wait_for(std::chrono::seconds{0}) == std::future_status::ready;
  }

  /// `f()` in a handler on the I/O thread; what it returned.
  template <class F>
  auto in_handler(F f) {
    std::promise<decltype(f())> result;
    net::post(pool.at(0), [&] { result.set_value(f()); });
    auto got = result.get_future();
    CAF_REQUIRE(got.wait_for(std::chrono::seconds{5})
                == std::future_status::ready);
    return got.get();
  }
};

} // namespace

CAF_TEST(an actor woken in a scope on an I / O thread runs there as it ends) {
  io_actors io;
  std::thread::id handler_thread;
  auto seen = io.in_handler([&] {
    handler_thread = std::this_thread::get_id();
    bool inside = false;
    {
      woken_here wakes;
      caf::anon_send(io.probe, 1);
      inside = io.ran();
    }
    return std::vector<bool>{inside, io.ran()};
  });
  // Not while the scope was open; done when it ended, on this thread.
  CAF_CHECK_EQUAL(seen, (std::vector<bool>{false, true}));
  CAF_CHECK(io.done.get() == handler_thread);
}

CAF_TEST(an actor woken in no scope is queued behind the handler) {
  io_actors io;
  auto ran_before_return = io.in_handler([&] {
    caf::anon_send(io.probe, 1);
    return io.ran();
  });
  CAF_CHECK(!ran_before_return);
  CAF_REQUIRE(io.done.wait_for(std::chrono::seconds{5})
              == std::future_status::ready);
}
