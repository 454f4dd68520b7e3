#define CAF_SUITE plain_http

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <caf/test/unit_test.hpp>

#include "http/asio_http_engine.hpp"
#include "http/io_context_pool.hpp"
#include "llm/plain_http_engine.hpp"
#include "llm/plain_http_url.hpp"
#include "loopback_provider.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

/// A provider of one answer: reads a request (head and `Content-Length`
/// body), then writes `pieces` 5 ms apart and closes, or holds the
/// connection until it is closed from the other side (`hold`).
class scripted_provider {
public:
  scripted_provider(std::vector<std::string> pieces, bool hold = false)
      : pieces_(std::move(pieces)), hold_(hold) {}

  std::string url() const {
    return server_.url();
  }

  /// The request as read, once it is.
  std::string request() {
    return request_.get_future().get();
  }

  /// Whether the client closed a held connection within `within`.
  bool saw_close(std::chrono::milliseconds within) {
    return closed_.get_future().wait_for(within) == std::future_status::ready;
  }

private:
  void serve(int listener) {
    int peer = ::accept(listener, nullptr, nullptr);
    if (peer < 0)
      return;
    std::string pending;
    std::string request;
    test::read_request(peer, pending, request);
    request_.set_value(request);
    for (const auto& piece : pieces_) {
      ::send(peer, piece.data(), piece.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(5ms);
    }
    if (hold_) {
      char byte;
      while (::recv(peer, &byte, 1, 0) > 0) {
      }
      closed_.set_value();
    }
    ::close(peer);
  }

  std::vector<std::string> pieces_;
  bool hold_;
  std::promise<std::string> request_;
  std::promise<void> closed_;
  test::loopback_server server_{[this](int listener) { serve(listener); }};
};

/// What a transfer reported.
struct outcome {
  std::vector<long> heads;
  std::string retry_after;
  std::string body;
  int code = -1;
  std::string message;
};

/// Runs `spec` on `engine` and waits for its end: code -2 if it did not
/// end within 10 s, -3 if the engine did not take it.
outcome run(plain_http_engine& engine, std::uint64_t id, http_transfer spec) {
  auto result = std::make_shared<outcome>();
  auto done = std::make_shared<std::promise<void>>();
  auto ended = done->get_future();
  transfer_callbacks callbacks{
    [result](long status, std::string retry_after) {
      result->heads.push_back(status);
      result->retry_after = std::move(retry_after);
    },
    [result](std::string_view bytes, std::chrono::nanoseconds) {
      result->body += bytes;
    },
    [result, done](transfer_result r) {
      result->code = r.curl_code;
      result->message = std::move(r.message);
      done->set_value();
    },
  };
  if (!engine.start(id, spec, callbacks))
    result->code = -3;
  else if (ended.wait_for(10s) != std::future_status::ready)
    result->code = -2;
  return *result;
}

/// A call to `url` (headers, one to drop, and a body), on an engine of a
/// two-context pool of its own.
outcome
transfer(const std::string& url, std::chrono::milliseconds total = 0ms) {
  http::io_context_pool pool{2, 1};
  pool.run();
  auto engine = http::make_asio_http_engine(pool);
  auto result = run(*engine, 1,
                    http_transfer{url,
                                  {"Content-Type: application/json",
                                   "Expect:", "Authorization: Bearer sk-test"},
                                  R"({"model":"m"})",
                                  2s,
                                  total});
  engine.reset();
  pool.stop();
  return result;
}

std::string chunk(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

const std::string stream_head
  = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

} // namespace

CAF_TEST(a plain http url is split as a request needs it) {
  auto url = parse_plain_http_url("http://127.0.0.1:8081/v1/chat/completions");
  CAF_REQUIRE(url.has_value());
  CAF_CHECK_EQUAL(url->host, "127.0.0.1");
  CAF_CHECK_EQUAL(url->port, 8081);
  CAF_CHECK_EQUAL(url->target, "/v1/chat/completions");
  CAF_CHECK_EQUAL(url->authority, "127.0.0.1:8081");
  auto bare = parse_plain_http_url("HTTP://localhost");
  CAF_REQUIRE(bare.has_value());
  CAF_CHECK_EQUAL(bare->port, 80);
  CAF_CHECK_EQUAL(bare->target, "/");
  auto v6 = parse_plain_http_url("http://[::1]:11434?x=1");
  CAF_REQUIRE(v6.has_value());
  CAF_CHECK_EQUAL(v6->host, "::1");
  CAF_CHECK_EQUAL(v6->port, 11434);
  CAF_CHECK_EQUAL(v6->target, "/?x=1");
  CAF_CHECK_EQUAL(v6->authority, "[::1]:11434");
}

CAF_TEST(anything else is left to curl) {
  for (const char* url :
       {"https://api.openai.com/v1", "http://", "http://user:pw@host/",
        "http://host:0/", "http://host:65536/", "http://host:8x/",
        "http://[::1/", "http://[::1]x/", "http://host/a#frag", "http:// host/",
        "ftp://host/", "http://:80/"})
    if (parse_plain_http_url(url))
      CAF_FAIL("taken: " << url);
}

CAF_TEST(a proxy for http leaves the transfers to curl) {
  std::map<std::string, std::string> env;
  auto getenv = [&env](const char* name) -> const char* {
    auto i = env.find(name);
    return i == env.end() ? nullptr : i->second.c_str();
  };
  CAF_CHECK(!http_proxy_configured(getenv));
  env["HTTP_PROXY"] = "http://127.0.0.1:3128"; // curl ignores it for http
  env["https_proxy"] = "http://127.0.0.1:3128";
  env["all_proxy"] = "";
  CAF_CHECK(!http_proxy_configured(getenv));
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    env[name] = "http://127.0.0.1:3128";
    CAF_MESSAGE(name);
    CAF_CHECK(http_proxy_configured(getenv));
    env.erase(name);
  }
}

CAF_TEST(a transfer the engine does not take is left whole for curl) {
  http::io_context_pool pool{1, 1};
  auto engine = http::make_asio_http_engine(pool);
  auto spec = http_transfer{"https://127.0.0.1:1/v1", {}, "{}", 2s, 0ms};
  transfer_callbacks callbacks{nullptr, nullptr, [](transfer_result) {}};
  CAF_CHECK(!engine->start(1, spec, callbacks));
  CAF_CHECK_EQUAL(spec.url, "https://127.0.0.1:1/v1");
  CAF_CHECK_EQUAL(spec.body, "{}");
  CAF_CHECK(callbacks.on_done != nullptr);
  // With a proxy for http configured, curl keeps even http:// URLs.
  ::setenv("http_proxy", "http://127.0.0.1:3128", 1);
  auto proxied = http::make_asio_http_engine(pool);
  ::unsetenv("http_proxy");
  spec.url = "http://127.0.0.1:1/v1";
  CAF_CHECK(!proxied->start(2, spec, callbacks));
  CAF_CHECK_EQUAL(spec.body, "{}");
  CAF_CHECK(callbacks.on_done != nullptr);
}

CAF_TEST(a chunked stream arrives whole however it is cut) {
  std::string payload;
  std::string wire = stream_head;
  for (int i = 0; i < 20; ++i) {
    auto event = "data: {\"n\":" + std::to_string(i) + "}\n\n";
    payload += event;
    wire += chunk(event);
  }
  wire += "0\r\n\r\n";
  // Byte by byte through the head and the first chunks, then in fives.
  std::vector<std::string> pieces;
  std::size_t at = 0;
  for (; at < stream_head.size() + 40; ++at)
    pieces.push_back(wire.substr(at, 1));
  for (; at < wire.size(); at += 5)
    pieces.push_back(wire.substr(at, 5));
  scripted_provider provider{pieces};
  auto got = transfer(provider.url());
  CAF_CHECK_EQUAL(got.code, 0);
  CAF_CHECK_EQUAL(got.heads, std::vector<long>{200});
  CAF_CHECK_EQUAL(got.body, payload);
  auto request = provider.request();
  CAF_CHECK_EQUAL(request.rfind("POST /v1/chat/completions HTTP/1.1\r\n", 0),
                  0u);
  CAF_CHECK(request.find("\r\nHost: 127.0.0.1:") != std::string::npos);
  CAF_CHECK(request.find("\r\nAuthorization: Bearer sk-test\r\n")
            != std::string::npos);
  CAF_CHECK(request.find("Expect") == std::string::npos);
  CAF_CHECK(request.find("\r\nContent-Length: 13\r\n") != std::string::npos);
  CAF_CHECK_EQUAL(request.substr(request.size() - 13), R"({"model":"m"})");
}

CAF_TEST(an interim response is passed over and retry after is kept) {
  scripted_provider provider{
    {"HTTP/1.1 100 Continue\r\n\r\n",
     "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
     "Content-Length: 9\r\n\r\n",
     "slow down"}};
  auto got = transfer(provider.url());
  CAF_CHECK_EQUAL(got.code, 0);
  CAF_CHECK_EQUAL(got.heads, std::vector<long>{429});
  CAF_CHECK_EQUAL(got.retry_after, "7");
  CAF_CHECK_EQUAL(got.body, "slow down");
}

CAF_TEST(a body without a length ends with the connection) {
  scripted_provider provider{
    {"HTTP/1.1 200 OK\r\n\r\ndata: a\n\n", "data: [DONE]\n\n"}};
  auto got = transfer(provider.url());
  CAF_CHECK_EQUAL(got.code, 0);
  CAF_CHECK_EQUAL(got.body, "data: a\n\ndata: [DONE]\n\n");
}

CAF_TEST(a stream cut short is told from a complete one) {
  {
    scripted_provider provider{{stream_head, chunk("data: a\n\n")}};
    auto got = transfer(provider.url());
    CAF_CHECK_EQUAL(got.code, transfer_code::partial);
    CAF_CHECK_EQUAL(got.body, "data: a\n\n");
  }
  {
    scripted_provider provider{{}};
    auto got = transfer(provider.url());
    CAF_CHECK_EQUAL(got.code, transfer_code::empty_reply);
    CAF_CHECK(got.heads.empty());
  }
  {
    scripted_provider provider{{"SPDY/9 what\r\n\r\n"}};
    CAF_CHECK_EQUAL(transfer(provider.url()).code, transfer_code::weird_reply);
  }
}

CAF_TEST(a port nobody listens on is unreachable) {
  std::uint16_t port = 0;
  ::close(test::listen_on_loopback(port));
  auto got = transfer("http://127.0.0.1:" + std::to_string(port) + "/v1");
  CAF_CHECK_EQUAL(got.code, transfer_code::couldnt_connect);
  CAF_CHECK(got.message.find("Failed to connect to 127.0.0.1")
            != std::string::npos);
}

CAF_TEST(the deadline ends a stalled stream) {
  // The head and a chunk in one segment: the chunk is the parser's second
  // bite of one read, and is reported before the stall, not after.
  scripted_provider provider{{stream_head + chunk("data: a\n\n")}, true};
  auto started = std::chrono::steady_clock::now();
  auto got = transfer(provider.url(), 300ms);
  auto took = std::chrono::steady_clock::now() - started;
  CAF_CHECK_EQUAL(got.code, transfer_code::timed_out);
  CAF_CHECK(got.message.find("timed out after") != std::string::npos);
  CAF_CHECK_EQUAL(got.body, "data: a\n\n");
  CAF_CHECK(took >= 300ms && took < 5s);
  CAF_CHECK(provider.saw_close(2s));
}

CAF_TEST(a cancelled transfer closes its socket and reports nothing) {
  scripted_provider provider{{stream_head, chunk("data: a\n\n")}, true};
  http::io_context_pool pool{1, 1};
  pool.run();
  auto engine = http::make_asio_http_engine(pool);
  std::atomic<int> bodies{0};
  std::atomic<bool> done{false};
  auto first = std::make_shared<std::promise<void>>();
  transfer_callbacks callbacks{
    nullptr,
    [&bodies, first](std::string_view, std::chrono::nanoseconds) {
      if (bodies++ == 0)
        first->set_value();
    },
    [&done](transfer_result) { done = true; },
  };
  auto arrived = first->get_future();
  http_transfer spec{provider.url(), {}, "{}", 2s, 0ms};
  CAF_REQUIRE(engine->start(7, spec, callbacks));
  CAF_REQUIRE(arrived.wait_for(5s) == std::future_status::ready);
  engine->cancel(7);
  CAF_CHECK(provider.saw_close(2s));
  engine->cancel(7); // twice, or unknown: nothing
  engine.reset();
  pool.stop();
  CAF_CHECK(!done);
}

CAF_TEST(a transfer is read on the context it is asked to be near) {
  http::io_context_pool pool{2, 1};
  pool.run();
  auto engine = http::make_asio_http_engine(pool);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    scripted_provider provider{
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"}};
    auto read_on = std::make_shared<std::promise<boost::asio::io_context*>>();
    auto seen = read_on->get_future();
    transfer_callbacks callbacks{
      nullptr,
      [read_on, &pool](std::string_view, std::chrono::nanoseconds) {
        read_on->set_value(pool.current());
      },
      nullptr,
    };
    http_transfer spec{provider.url(), {}, "{}", 2s, 0ms, &pool.at(i)};
    CAF_REQUIRE(engine->start(i + 1, spec, callbacks));
    CAF_REQUIRE(seen.wait_for(5s) == std::future_status::ready);
    CAF_CHECK_EQUAL(seen.get(), &pool.at(i));
  }
  engine.reset();
  pool.stop();
}

CAF_TEST(the next call to a provider goes on the connection the last one kept) {
  test::answering_provider provider{false};
  http::io_context_pool pool{1, 1};
  pool.run();
  auto engine = http::make_asio_http_engine(pool);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    auto got = run(*engine, id, {provider.url(), {}, "{}", 2s, 0ms});
    CAF_CHECK_EQUAL(got.code, 0);
    CAF_CHECK_EQUAL(got.body, "hi");
  }
  CAF_CHECK_EQUAL(provider.answered(), 3);
  CAF_CHECK_EQUAL(provider.accepted(), 1);
  engine.reset();
  pool.stop();
}

CAF_TEST(a kept connection the provider closed is replaced unseen) {
  test::answering_provider provider{true};
  http::io_context_pool pool{1, 1};
  pool.run();
  auto engine = http::make_asio_http_engine(pool);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    auto got = run(*engine, id, {provider.url(), {}, "{}", 2s, 0ms});
    CAF_CHECK_EQUAL(got.code, 0);
    CAF_CHECK_EQUAL(got.body, "hi");
    // Let the close reach this side before the next call takes the socket.
    std::this_thread::sleep_for(20ms);
  }
  CAF_CHECK_EQUAL(provider.answered(), 3);
  CAF_CHECK_EQUAL(provider.accepted(), 3);
  engine.reset();
  pool.stop();
}
