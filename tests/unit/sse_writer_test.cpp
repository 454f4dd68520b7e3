#define CAF_SUITE sse_writer

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>

#include <caf/test/unit_test.hpp>

#include "http/beast.hpp"
#include "protocol/connection_registry.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;
namespace net = boost::asio;
using net::ip::tcp;

namespace {

/// A writer on one end of a loopback connection, its I/O context run by a
/// thread of its own, and the client's end read here with blocking reads.
struct sse_over_loopback {
  net::io_context context;
  net::executor_work_guard<net::io_context::executor_type> work{
    context.get_executor()};
  connection_registry registry;
  tcp::socket client{context};
  std::shared_ptr<sse_writer> writer;
  std::atomic<int> drained{0};
  std::thread thread;

  sse_over_loopback() {
    tcp::acceptor acceptor{context, {net::ip::make_address("127.0.0.1"), 0}};
    client.connect(acceptor.local_endpoint());
    boost::beast::tcp_stream served{net::make_strand(context)};
    acceptor.accept(served.socket());
    writer = http::make_sse_writer(std::move(served), 11, {}, registry);
    thread = std::thread{[this] { context.run(); }};
    writer->start([](close_reason) {}, [this] { ++drained; });
  }

  ~sse_over_loopback() {
    writer->force_closed();
    work.reset();
    thread.join();
  }

  /// Reads until `text` came (or fails the test after a few seconds).
  void read_until(const std::string& text) {
    client.non_blocking(true);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (received.find(text) == std::string::npos
           && std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      boost::system::error_code ec;
      auto n = client.read_some(net::buffer(buf), ec);
      if (ec == net::error::would_block)
        std::this_thread::sleep_for(1ms);
      else if (ec)
        CAF_FAIL("the client's read failed: " << ec.message());
      else
        received.append(buf, n);
    }
    CAF_REQUIRE(received.find(text) != std::string::npos);
  }

  /// Waits until `drained` reached `count` (or a few seconds passed).
  int drained_once_at(int count) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (drained.load() < count && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return drained.load();
  }

  std::string received;
};

frame_ptr frame(const std::string& text) {
  return std::make_shared<const std::string>("data: " + text + "\n\n");
}

round_ptr round_of(std::uint64_t id, const std::string& data) {
  auto ev = encode(event{id, event_type::token, "s", "m", data, false, 0});
  return std::make_shared<const sink_round>(sink_round{{ev}, nullptr});
}

} // namespace

CAF_TEST(frames the actor hands over report their drain and a round does not) {
  sse_over_loopback io;
  io.writer->accept("");
  io.read_until("text/event-stream");
  auto after_head = io.drained_once_at(1);
  CAF_CHECK_EQUAL(after_head, 1);
  io.writer->open(io.writer->make_lane(), {},
                  std::make_shared<const std::vector<event_ptr>>(), false);
  io.writer->send(frame("handed"));
  io.read_until("data: handed");
  CAF_CHECK_EQUAL(io.drained_once_at(after_head + 1), after_head + 1);
  // The round goes out; a frame handed after it reports once, after the
  // round's write (one strand, in order): had the round reported too, the
  // count would be one higher.
  io.writer->deliver_round(round_of(1, R"({"round":1})"));
  io.read_until(R"({"round":1})");
  io.writer->send(frame("after"));
  io.read_until("data: after");
  CAF_CHECK_EQUAL(io.drained_once_at(after_head + 2), after_head + 2);
  std::this_thread::sleep_for(20ms);
  CAF_CHECK_EQUAL(io.drained.load(), after_head + 2);
}
