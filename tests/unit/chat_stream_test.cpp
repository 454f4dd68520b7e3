#define CAF_SUITE chat_stream

#include "llm/chat_stream.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

std::string chunk(const std::string& text) {
  return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
         + "\"},\"finish_reason\":null}]}\n\n";
}

const std::string done = "data: [DONE]\n\n";

/// What a stream handed on: each text with its `model_first_ns`.
struct handed {
  std::vector<std::pair<std::string, std::int64_t>> pieces;

  auto deliver() {
    return [this](std::string&& text, std::int64_t model_first_ns) {
      pieces.emplace_back(std::move(text), model_first_ns);
    };
  }
};

using kind = chat_stream_end::kind;

} // namespace

CAF_TEST(text goes on as it comes and the first piece carries the model time) {
  chat_stream stream{1 << 20, true};
  stream.on_head(200, "");
  handed out;
  auto end = stream.on_body(chunk("Hel") + chunk("lo"), 7ms, out.deliver());
  CAF_CHECK(end.what == kind::open);
  end = stream.on_body(chunk(" you"), 9ms, out.deliver());
  CAF_CHECK(end.what == kind::open);
  CAF_REQUIRE_EQUAL(out.pieces.size(), 3u);
  CAF_CHECK_EQUAL(out.pieces[0].first, "Hel");
  CAF_CHECK_EQUAL(out.pieces[0].second, std::int64_t{7'000'000});
  CAF_CHECK_EQUAL(out.pieces[1].first, "lo");
  CAF_CHECK_EQUAL(out.pieces[1].second, -1);
  CAF_CHECK_EQUAL(out.pieces[2].first, " you");
  CAF_CHECK_EQUAL(out.pieces[2].second, -1);
  CAF_CHECK_EQUAL(stream.assembler().content(), "Hello you");
}

CAF_TEST(a retry has no model time to tell) {
  chat_stream stream{1 << 20, false};
  stream.on_head(200, "");
  handed out;
  stream.on_body(chunk("a"), 5ms, out.deliver());
  CAF_REQUIRE_EQUAL(out.pieces.size(), 1u);
  CAF_CHECK_EQUAL(out.pieces[0].second, -1);
}

CAF_TEST(a closed stream hands nothing on and says whether it had) {
  chat_stream silent{1 << 20, true};
  silent.on_head(200, "");
  CAF_CHECK(!silent.close());
  handed out;
  silent.on_body(chunk("late"), 1ms, out.deliver());
  CAF_CHECK(out.pieces.empty());

  chat_stream spoke{1 << 20, true};
  spoke.on_head(200, "");
  spoke.on_body(chunk("one"), 1ms, out.deliver());
  CAF_CHECK(spoke.close());
  spoke.on_body(chunk("two"), 2ms, out.deliver());
  CAF_REQUIRE_EQUAL(out.pieces.size(), 1u);
  CAF_CHECK_EQUAL(out.pieces[0].first, "one");
}

CAF_TEST(
  done ends the answer whole after the text before it and reads no more) {
  chat_stream stream{1 << 20, true};
  stream.on_head(200, "");
  handed out;
  auto end
    = stream.on_body(chunk("all") + done + chunk("after"), 1ms, out.deliver());
  CAF_CHECK(end.what == kind::whole);
  end = stream.on_body(chunk("later"), 2ms, out.deliver());
  CAF_CHECK(end.what == kind::open);
  CAF_REQUIRE_EQUAL(out.pieces.size(), 1u);
  CAF_CHECK_EQUAL(out.pieces[0].first, "all");
  CAF_CHECK(stream.assembler().saw_done());
  CAF_CHECK_EQUAL(stream.assembler().content(), "all");
}

CAF_TEST(a broken chunk fails the stream after the text before it) {
  chat_stream stream{1 << 20, true};
  stream.on_head(200, "");
  handed out;
  auto end
    = stream.on_body(chunk("kept") + "data: {not json\n\n", 1ms, out.deliver());
  CAF_CHECK(end.what == kind::failed);
  CAF_CHECK_EQUAL(end.code, "llm_bad_response");
  CAF_REQUIRE_EQUAL(out.pieces.size(), 1u);
  CAF_CHECK_EQUAL(out.pieces[0].first, "kept");

  chat_stream reported{1 << 20, true};
  reported.on_head(200, "");
  end = reported.on_body(R"(data: {"error":{"message":"overloaded"}})"
                         "\n\n",
                         1ms, out.deliver());
  CAF_CHECK(end.what == kind::failed);
  CAF_CHECK_EQUAL(end.code, "llm_provider_error");
}

CAF_TEST(a response past its limit fails and its last read is not handed on) {
  auto piece = chunk("x");
  chat_stream stream{piece.size() * 2, true};
  stream.on_head(200, "");
  handed out;
  CAF_CHECK(stream.on_body(piece, 1ms, out.deliver()).what == kind::open);
  CAF_CHECK(stream.on_body(piece, 2ms, out.deliver()).what == kind::open);
  auto end = stream.on_body("\n", 3ms, out.deliver());
  CAF_CHECK(end.what == kind::failed);
  CAF_CHECK_EQUAL(end.code, "llm_response_too_long");
  CAF_CHECK_EQUAL(out.pieces.size(), 2u);
}

CAF_TEST(an error status keeps its body up to a bound and hands nothing on) {
  chat_stream stream{1 << 20, true};
  stream.on_head(429, "7");
  handed out;
  auto end = stream.on_body(chunk("not text") + std::string(5000, 'e'), 1ms,
                            out.deliver());
  CAF_CHECK(end.what == kind::open);
  CAF_CHECK(out.pieces.empty());
  CAF_CHECK_EQUAL(stream.status(), 429);
  CAF_CHECK_EQUAL(stream.retry_after(), "7");
  CAF_CHECK_EQUAL(stream.error_body().size(), chat_stream::max_error_body);
  CAF_CHECK_EQUAL(stream.error_body().substr(0, 6), "data: ");
}

CAF_TEST(bytes move the last activity) {
  chat_stream stream{1 << 20, true};
  stream.on_head(200, "");
  auto started = stream.last_activity();
  std::this_thread::sleep_for(2ms);
  handed out;
  stream.on_body(": keep-alive\n", 1ms, out.deliver());
  CAF_CHECK(stream.last_activity() - started >= 2ms);
}

// The gate between the reading thread and the call: once `close` returns,
// nothing more is handed on, and what it returns says whether anything was.
CAF_TEST(nothing is handed on after close returns on another thread) {
  for (int round = 0; round < 50; ++round) {
    chat_stream stream{1 << 24, true};
    stream.on_head(200, "");
    std::atomic<int> delivered{0};
    std::atomic<bool> reading{true};
    std::thread reader{[&] {
      // A delivery takes a while, so a close lands in the middle of one.
      auto deliver = [&](std::string&&, std::int64_t) {
        auto until = std::chrono::steady_clock::now() + 20us;
        while (std::chrono::steady_clock::now() < until) {
        }
        delivered.fetch_add(1, std::memory_order_relaxed);
      };
      while (reading.load())
        stream.on_body(chunk("t"), 1ms, deliver);
    }};
    std::this_thread::sleep_for(std::chrono::microseconds{round * 20});
    auto emitted = stream.close();
    auto at_close = delivered.load();
    std::this_thread::sleep_for(1ms);
    reading = false;
    reader.join();
    CAF_CHECK_EQUAL(delivered.load(), at_close);
    CAF_CHECK_EQUAL(emitted, at_close > 0);
  }
}
