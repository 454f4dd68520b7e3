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

  /// `socket_buffer`: both ends' kernel buffers, if not the default.
  explicit sse_over_loopback(int socket_buffer = 0) {
    tcp::acceptor acceptor{context, {net::ip::make_address("127.0.0.1"), 0}};
    client.open(tcp::v4());
    if (socket_buffer > 0)
      client.set_option(net::socket_base::receive_buffer_size(socket_buffer));
    client.connect(acceptor.local_endpoint());
    boost::beast::tcp_stream served{net::make_strand(context)};
    acceptor.accept(served.socket());
    if (socket_buffer > 0)
      served.socket().set_option(
        net::socket_base::send_buffer_size(socket_buffer));
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

/// The body of a chunked response: its chunks' data, joined.
std::string unchunked(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  CAF_REQUIRE(at != std::string::npos);
  at += 4;
  std::string body;
  while (at < response.size()) {
    auto line_end = response.find("\r\n", at);
    CAF_REQUIRE(line_end != std::string::npos);
    auto size = std::stoul(response.substr(at, line_end - at), nullptr, 16);
    at = line_end + 2;
    CAF_REQUIRE(at + size + 2 <= response.size());
    body.append(response, at, size);
    CAF_REQUIRE(response.compare(at + size, 2, "\r\n") == 0);
    at += size + 2;
  }
  return body;
}

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

CAF_TEST(writes the socket takes in part arrive whole and in order) {
  // The smallest kernel buffers and a client that does not read yet: a
  // write of one 3-4 KB frame (sent as one copied buffer) soon goes in
  // part, the rest waits for the socket, and the frames behind it queue.
  sse_over_loopback io{4 * 1024};
  io.writer->accept("");
  io.read_until("text/event-stream");
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    auto size = static_cast<std::size_t>(3000 + i * 37 % 1000);
    auto text = std::to_string(i) + ":" + std::string(size, 'a' + i % 26);
    io.writer->send(frame(text));
    expected += "data: " + text + "\n\n";
  }
  io.writer->send(frame("end"));
  expected += "data: end\n\n";
  io.read_until("data: end\n\n\r\n");
  CAF_CHECK_EQUAL(unchunked(io.received), expected);
}
