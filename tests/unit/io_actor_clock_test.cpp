#define CAF_SUITE io_actor_clock

#include "app/io_actor_clock.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/send.hpp>

#include <caf/test/unit_test.hpp>

#include "app/io_scheduler.hpp"
#include "http/io_context_pool.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;
using http::io_context_pool;
namespace net = boost::asio;

namespace {

using clock_type = std::chrono::steady_clock;

/// An actor system whose actors and timers run on a one-thread pool.
struct io_system {
  io_system() : pool(1, 1) {
    pool.run();
    run_actors_on(cfg, pool);
    sys.emplace(cfg);
  }

  ~io_system() {
    sys.reset();
    pool.stop();
  }

  io_context_pool pool;
  caf::actor_system_config cfg;
  std::optional<caf::actor_system> sys;
};

/// What an actor received, and on which context, in order.
struct received {
  std::mutex mutex;
  std::vector<std::string> what;
  std::vector<clock_type::time_point> when;
  std::vector<net::io_context*> where;
  std::promise<void> all;
  std::size_t expected = 1;

  void add(std::string x, net::io_context* on) {
    std::lock_guard guard{mutex};
    what.push_back(std::move(x));
    when.push_back(clock_type::now());
    where.push_back(on);
    if (what.size() == expected)
      all.set_value();
  }

  bool wait() {
    return all.get_future().wait_for(10s) == std::future_status::ready;
  }
};

caf::actor recorder(caf::actor_system& sys, io_context_pool& pool,
                    std::shared_ptr<received> log) {
  return sys.spawn([&pool, log](caf::event_based_actor*) -> caf::behavior {
    return {[&pool, log](const std::string& x) { log->add(x, pool.current()); }};
  });
}

std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  for (auto& task : std::filesystem::directory_iterator{"/proc/self/task"}) {
    std::ifstream comm{task.path() / "comm"};
    std::string name;
    std::getline(comm, name);
    names.push_back(name);
  }
  return names;
}

} // namespace

CAF_TEST(a delayed message arrives on the first context after its delay) {
  io_system io;
  auto log = std::make_shared<received>();
  auto to = recorder(*io.sys, io.pool, log);
  auto sent = clock_type::now();
  caf::delayed_anon_send(to, 50ms, std::string{"late"});
  CAF_REQUIRE(log->wait());
  CAF_CHECK_EQUAL(log->what, (std::vector<std::string>{"late"}));
  CAF_CHECK(log->when[0] - sent >= 50ms);
  CAF_CHECK_EQUAL(log->where[0], &io.pool.at(0));
}

CAF_TEST(a timer set after a later one fires first) {
  io_system io;
  auto log = std::make_shared<received>();
  log->expected = 2;
  auto to = recorder(*io.sys, io.pool, log);
  caf::delayed_anon_send(to, 400ms, std::string{"later"});
  caf::delayed_anon_send(to, 20ms, std::string{"sooner"});
  CAF_REQUIRE(log->wait());
  CAF_CHECK_EQUAL(log->what, (std::vector<std::string>{"sooner", "later"}));
  CAF_CHECK(log->when[1] - log->when[0] >= 300ms);
}

CAF_TEST(an idle timeout and a request timeout fire) {
  io_system io;
  auto log = std::make_shared<received>();
  log->expected = 2;
  auto& pool = io.pool;
  io.sys->spawn([&pool, log](caf::event_based_actor* self) -> caf::behavior {
    return {caf::after(30ms) >> [&pool, log, self] {
      log->add("idle", pool.current());
      self->quit();
    }};
  });
  // Never answers.
  auto silent = io.sys->spawn([](caf::event_based_actor* self) -> caf::behavior {
    return {[self](int) { return self->make_response_promise(); }};
  });
  io.sys->spawn([&pool, log, silent](caf::event_based_actor* self) {
    self->request(silent, 60ms, 1)
      .then([](int) {},
            [&pool, log](caf::error& err) {
              log->add(err == caf::sec::request_timeout ? "request timeout"
                                                        : "other error",
                       pool.current());
            });
  });
  CAF_REQUIRE(log->wait());
  std::sort(log->what.begin(), log->what.end());
  CAF_CHECK_EQUAL(log->what,
                  (std::vector<std::string>{"idle", "request timeout"}));
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

CAF_TEST(no clock thread runs beside the I / O threads) {
  io_system io;
  auto log = std::make_shared<received>();
  auto to = recorder(*io.sys, io.pool, log);
  caf::delayed_anon_send(to, 10ms, std::string{"tick"});
  CAF_REQUIRE(log->wait());
  auto names = thread_names();
  CAF_CHECK(std::count(names.begin(), names.end(), "caf.clock") == 0);
  CAF_CHECK(std::count(names.begin(), names.end(), "agenttheo.io") == 1);
}

CAF_TEST(nothing is sent once the clock stopped or dropped its timers) {
  io_system io;
  auto log = std::make_shared<received>();
  auto to = recorder(*io.sys, io.pool, log);
  io_actor_clock dropping{io.pool.at(0)};
  io_actor_clock stopping{io.pool.at(0)};
  auto send_at = [&](io_actor_clock& clock, std::string what, auto delay) {
    clock.schedule_message(clock.now() + delay, caf::actor_cast<caf::strong_actor_ptr>(to),
                           caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                                     std::move(what)));
  };
  send_at(dropping, "dropped", 30ms);
  send_at(stopping, "stopped", 30ms);
  dropping.cancel_all();
  stopping.stop();
  // After the stop, a new timer is ignored.
  send_at(stopping, "after stop", 1ms);
  send_at(dropping, "kept", 60ms);
  CAF_REQUIRE(log->wait());
  std::this_thread::sleep_for(100ms);
  std::lock_guard guard{log->mutex};
  CAF_CHECK_EQUAL(log->what, (std::vector<std::string>{"kept"}));
}
