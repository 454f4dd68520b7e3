#define CAF_SUITE strand_lane

#include "http/strand_lane.hpp"

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;
namespace net = boost::asio;

namespace {

/// An I/O context run by one thread for as long as it lives.
struct running_context {
  net::io_context context;
  net::executor_work_guard<net::io_context::executor_type> work{
    context.get_executor()};
  std::thread thread{[this] { context.run(); }};
  ~running_context() {
    work.reset();
    thread.join();
  }
};

} // namespace

CAF_TEST(an idle lane runs a job dispatched on its thread at once) {
  running_context io;
  http::strand_lane lane{io.context};
  std::promise<bool> at_once;
  net::post(io.context, [&] {
    bool ran = false;
    lane.dispatch([&ran] { ran = true; });
    at_once.set_value(ran);
  });
  CAF_CHECK(at_once.get_future().get());
}

CAF_TEST(a lane on a sockets strand hands its jobs to that socket at once) {
  running_context io;
  auto socket = net::make_strand(io.context);
  http::strand_lane lane{socket, io.context};
  std::promise<std::vector<bool>> seen;
  lane.post([&] {
    bool inline_call = false;
    // What a round's job does for its sink: dispatch to the socket's strand.
    net::dispatch(socket, [&inline_call] { inline_call = true; });
    seen.set_value({socket.running_in_this_thread(), inline_call});
  });
  CAF_CHECK_EQUAL(seen.get_future().get(), (std::vector<bool>{true, true}));
  // A socket's own handlers and the lane's jobs take turns: one strand.
  std::vector<int> order;
  std::promise<void> done;
  net::post(io.context, [&] {
    net::post(socket, [&] { order.push_back(1); });
    lane.dispatch([&] { order.push_back(2); });
    order.push_back(0);
    lane.post([&] { done.set_value(); });
  });
  done.get_future().wait();
  CAF_CHECK_EQUAL(order, (std::vector<int>{0, 1, 2}));
}

CAF_TEST(a job dispatched behind queued ones waits its turn) {
  running_context io;
  http::strand_lane lane{io.context};
  std::vector<int> order;
  std::promise<void> done;
  net::post(io.context, [&] {
    lane.post([&] { order.push_back(1); });
    lane.dispatch([&] { order.push_back(2); });
    // Nothing ran yet: the dispatch went behind the queued job.
    order.push_back(0);
    lane.post([&] { done.set_value(); });
  });
  auto finished = done.get_future();
  CAF_REQUIRE(finished.wait_for(std::chrono::seconds{5})
              == std::future_status::ready);
  CAF_CHECK_EQUAL(order, (std::vector<int>{0, 1, 2}));
}

CAF_TEST(a job dispatched from another thread is queued) {
  running_context io;
  http::strand_lane lane{io.context};
  std::promise<std::thread::id> ran_on;
  lane.dispatch([&] { ran_on.set_value(std::this_thread::get_id()); });
  auto on = ran_on.get_future();
  CAF_REQUIRE(on.wait_for(std::chrono::seconds{5})
              == std::future_status::ready);
  CAF_CHECK(on.get() == io.thread.get_id());
}
