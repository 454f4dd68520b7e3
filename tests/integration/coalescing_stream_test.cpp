// coalescing_stream under Beast's websocket::stream, on real loopback
// sockets with a real Beast client: messages framed while the writer holds
// share one socket write and arrive whole and in order, Beast's own pong
// set aside between them keeps its place, the close frame is not cut off,
// and a reader that stops holds the writer back instead of letting the
// set-aside bytes grow; text frames built by hand (as the server's writer
// does for small messages) decode at every length encoding and keep their
// order among Beast's own.
#define CAF_SUITE coalescing_stream
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "http/coalescing_stream.hpp"
#include "http/ws_text_frame.hpp"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using agenttheo::http::coalescing_stream;

namespace {

constexpr std::size_t limit = 16 * 1024;

/// A WebSocket server of one connection on its own thread: `serve` runs on
/// the io_context once the handshake is done.
struct server {
  net::io_context io;
  tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
  std::unique_ptr<websocket::stream<coalescing_stream>> ws;
  std::thread thread;

  explicit server(std::function<void(server&)> serve,
                  std::function<void(tcp::socket&)> tune = {}) {
    acceptor.async_accept([this, serve, tune](beast::error_code ec,
                                              tcp::socket socket) {
      CAF_REQUIRE(!ec);
      if (tune)
        tune(socket);
      ws = std::make_unique<websocket::stream<coalescing_stream>>(
        beast::tcp_stream{std::move(socket)}, limit);
      ws->async_accept([this, serve](beast::error_code ec) {
        CAF_REQUIRE(!ec);
        serve(*this);
      });
    });
    thread = std::thread{[this] { io.run(); }};
  }

  unsigned short port() const {
    return acceptor.local_endpoint().port();
  }

  ~server() {
    io.stop();
    thread.join();
  }
};

/// Writes `count` messages one after another, as the writer does: each
/// once the last is reported written, holding while more follow.
void write_chain(websocket::stream<coalescing_stream>& ws, int from, int count,
                 std::function<std::string(int)> text,
                 std::function<void()> done, std::atomic<int>* written = nullptr,
                 bool hold_after = false) {
  if (from == count)
    return done();
  ws.next_layer().hold(from + 1 < count || hold_after);
  auto msg = std::make_shared<std::string>(text(from));
  ws.async_write(net::buffer(*msg), [&ws, from, count, text, done, written,
                                     msg, hold_after](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (written)
      ++*written;
    write_chain(ws, from + 1, count, text, done, written, hold_after);
  });
}

std::string numbered(int i) {
  return "message " + std::to_string(i);
}

websocket::stream<tcp::socket> connect(net::io_context& io, unsigned short port,
                                       int receive_buffer = 0) {
  websocket::stream<tcp::socket> client{io};
  auto& socket = client.next_layer();
  socket.open(tcp::v4());
  if (receive_buffer)
    socket.set_option(net::socket_base::receive_buffer_size{receive_buffer});
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  client.handshake("127.0.0.1", "/");
  return client;
}

std::string read_text(websocket::stream<tcp::socket>& client) {
  beast::flat_buffer buffer;
  client.read(buffer);
  return beast::buffers_to_string(buffer.data());
}

} // namespace

CAF_TEST(messages framed together share one socket write and arrive in order) {
  std::atomic<std::size_t> writes{0};
  server srv{[&writes](server& s) {
    // Once the handshake's answer is out, so it is not counted.
    s.ws->next_layer().when_flushed(agenttheo::http::deferred_call{
      [&s, &writes](beast::error_code) {
        auto before = s.ws->next_layer().socket_writes();
        write_chain(*s.ws, 0, 300, numbered, [&s, &writes, before] {
          writes = s.ws->next_layer().socket_writes() - before;
          s.ws->async_close(websocket::close_code::normal,
                            [](beast::error_code) {});
        });
      }});
  }};
  net::io_context io;
  auto client = connect(io, srv.port());
  for (int i = 0; i < 300; ++i)
    CAF_REQUIRE_EQUAL(read_text(client), numbered(i));
  beast::flat_buffer rest;
  beast::error_code ec;
  client.read(rest, ec);
  CAF_CHECK(ec == websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, websocket::close_code::normal);
  // 300 messages (~4.5 KB, under the bound) in one socket write, where
  // Beast alone makes 300.
  CAF_CHECK_EQUAL(writes.load(), 1u);
}

CAF_TEST(a pong set aside while the writer holds keeps its place) {
  std::atomic<bool> done{false};
  server srv{[&done](server& s) {
    // 100 messages set aside, nothing sent yet; the client's ping arrives
    // and Beast's pong joins them; "go" lets the last one through.
    write_chain(*s.ws, 0, 100, numbered, [&s, &done] {
      auto buffer = std::make_shared<beast::flat_buffer>();
      s.ws->async_read(*buffer, [&s, buffer, &done](beast::error_code ec,
                                                   std::size_t) {
        CAF_REQUIRE(!ec);
        auto last = std::make_shared<std::string>("last");
        s.ws->next_layer().hold(false);
        s.ws->async_write(net::buffer(*last),
                          [last, &done](beast::error_code, std::size_t) {
                            done = true;
                          });
      });
    }, nullptr, true);
  }};
  net::io_context io;
  auto client = connect(io, srv.port());
  int pong_after = -1;
  int read = 0;
  client.control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong)
      pong_after = read;
  });
  client.ping("p");
  client.write(net::buffer(std::string{"go"}));
  for (; read < 100; ++read)
    CAF_REQUIRE_EQUAL(read_text(client), numbered(read));
  CAF_CHECK_EQUAL(read_text(client), "last");
  // The pong was framed after the 100th message and before "last".
  CAF_CHECK_EQUAL(pong_after, 100);
}

CAF_TEST(a reader that stops holds the writer back) {
  constexpr int count = 20000;
  std::atomic<int> written{0};
  auto kib = [](int i) {
    auto text = numbered(i);
    text.resize(1024, '.');
    return text;
  };
  server srv{[&](server& s) {
               write_chain(*s.ws, 0, count, kib, [] {}, &written);
             },
             [](tcp::socket& socket) {
               socket.set_option(net::socket_base::send_buffer_size{65536});
             }};
  net::io_context io;
  auto client = connect(io, srv.port(), 65536);
  // The socket buffers fill, then the bound: the writer stops.
  int before = -1;
  for (int i = 0; i < 50 && written.load() != before; ++i) {
    before = written.load();
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  auto stalled = written.load();
  CAF_CHECK_EQUAL(stalled, before);
  CAF_CHECK_LESS(stalled, count / 4);
  // Everything still arrives, whole and in order.
  for (int i = 0; i < count; ++i)
    CAF_REQUIRE_EQUAL(read_text(client), kib(i));
  CAF_CHECK_EQUAL(written.load(), count);
}

CAF_TEST(hand-built text frames decode at every length and keep their order) {
  const std::vector<std::size_t> sizes{0, 1, 125, 126, 65535, 65536, 70000};
  auto payload = [](std::size_t n, char c) { return std::string(n, c); };
  server srv{[&](server& s) {
    // Hand-built frames, then a binary message through Beast, then more
    // hand-built frames: one stream of bytes through the layer.
    auto first = std::make_shared<std::string>();
    for (std::size_t i = 0; i < sizes.size(); ++i)
      agenttheo::http::append_text_frame(*first, payload(sizes[i], char('a' + i)));
    auto binary = std::make_shared<std::string>("\x01\x02 binary");
    auto last = std::make_shared<std::string>();
    agenttheo::http::append_text_frame(*last, "after the binary one");
    s.ws->next_layer().hold(true);
    net::async_write(s.ws->next_layer(), net::buffer(*first),
                     [&s, first, binary, last](beast::error_code ec, std::size_t) {
      CAF_REQUIRE(!ec);
      s.ws->binary(true);
      s.ws->async_write(net::buffer(*binary), [&s, binary, last](beast::error_code ec,
                                                                std::size_t) {
        CAF_REQUIRE(!ec);
        s.ws->next_layer().hold(false);
        net::async_write(s.ws->next_layer(), net::buffer(*last),
                         [last](beast::error_code, std::size_t) {});
      });
    });
  }};
  net::io_context io;
  auto client = connect(io, srv.port());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    CAF_CHECK_EQUAL(read_text(client), payload(sizes[i], char('a' + i)));
    CAF_CHECK(client.got_text());
  }
  CAF_CHECK_EQUAL(read_text(client), "\x01\x02 binary");
  CAF_CHECK(client.got_binary());
  CAF_CHECK_EQUAL(read_text(client), "after the binary one");
  CAF_CHECK(client.got_text());
}
