#define CAF_SUITE io_idle_lane

#include "http/io_idle_lane.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <caf/test/unit_test.hpp>

#include "util/after_ready_io.hpp"

using namespace agenttheo;
using http::run_with_idle_lane;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

/// A context run on a thread of its own through the idle lane.
struct lane_thread {
  explicit lane_thread(std::chrono::microseconds max_wait = 5ms)
      : thread([this, max_wait] { run_with_idle_lane(context, max_wait); }) {}

  ~lane_thread() {
    work.reset();
    context.stop();
    thread.join();
  }

  net::io_context context{1};
  net::executor_work_guard<net::io_context::executor_type> work
    = net::make_work_guard(context);
  std::thread thread;
};

} // namespace

CAF_TEST(work after ready io waits for handlers made ready after it) {
  lane_thread io{10s};
  std::vector<std::string> order;
  std::promise<void> done;
  net::post(io.context, [&] {
    net::post(io.context, [&] {
      order.push_back("ready");
      // Found ready after the work was queued: still goes first.
      net::post(io.context, [&] { order.push_back("later"); });
    });
    after_ready_io([&] {
      order.push_back("after");
      done.set_value();
    });
    order.push_back("handler");
  });
  CAF_REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK_EQUAL(order, (std::vector<std::string>{"handler", "ready", "later",
                                                   "after"}));
}

CAF_TEST(work after ready io runs in the order it was queued) {
  lane_thread io;
  std::vector<int> order;
  std::promise<void> done;
  net::post(io.context, [&] {
    for (int i = 0; i < 3; ++i)
      after_ready_io([&order, i] { order.push_back(i); });
    after_ready_io([&] { done.set_value(); });
  });
  CAF_REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK_EQUAL(order, (std::vector<int>{0, 1, 2}));
}

CAF_TEST(a context never idle still runs the work once it waited enough) {
  lane_thread io{2ms};
  std::atomic<bool> ran{false};
  std::atomic<int> busy_handlers{0};
  // Always one handler ready: the context is never idle.
  std::function<void()> spin = [&] {
    ++busy_handlers;
    if (!ran.load())
      net::post(io.context, spin);
  };
  std::promise<void> done;
  net::post(io.context, [&] {
    net::post(io.context, spin);
    after_ready_io([&] {
      ran = true;
      done.set_value();
    });
  });
  CAF_REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK_GREATER(busy_handlers.load(), 1);
}

CAF_TEST(work still waiting when the context stops runs as it returns) {
  auto ran = std::make_shared<std::atomic<bool>>(false);
  {
    lane_thread io{10s};
    std::promise<void> queued;
    net::post(io.context, [&] {
      // Keeps the context busy until it is stopped.
      net::post(io.context, [&] { io.context.stop(); });
      after_ready_io([ran] { *ran = true; });
      queued.set_value();
    });
    queued.get_future().wait();
  }
  CAF_CHECK(ran->load());
}
