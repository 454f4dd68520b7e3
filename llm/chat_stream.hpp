#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "llm/delta_assembler.hpp"
#include "protocol/sse_parser.hpp"

namespace agenttheo {

/// How a read of a call's stream ended the answer, if it did.
struct chat_stream_end {
  enum class kind {
    /// More is to come.
    open,
    /// `[DONE]`: the answer is whole.
    whole,
    /// The stream is broken: `code` and `message` say how.
    failed,
  };
  kind what = kind::open;
  std::string code;
  std::string message;
};

/// One attempt of a streamed chat completion, read on the thread its bytes
/// arrive on (the transfer's callbacks), which hands each piece of text on
/// to the session itself: a token costs no message to the call between the
/// socket and the session (on this machine that hop was 8-10% of an I/O
/// thread's time at 100 runs).
///
/// The call keeps control. It closes the stream (`close`) before it ends
/// the attempt in any way; from then on nothing more is handed on, and
/// whether anything was is decided in the same step, so a call that retries
/// a silent attempt never has its text arrive twice. What the stream
/// gathered (`status`, `error_body`, `assembler`) is the call's to read
/// once it is told the transfer ended or the stream did: that message
/// orders the call's reads after the stream's writes, and the stream writes
/// none after it.
class chat_stream {
public:
  using clock = std::chrono::steady_clock;

  /// Error bodies are kept up to this much: enough to explain them.
  static constexpr std::size_t max_error_body = 4096;

  /// `max_bytes` bounds the response and any line of it; `first_attempt`:
  /// the provider's time to the first piece is known (after a retry the
  /// wait before it is neither the provider's nor ours).
  chat_stream(std::size_t max_bytes, bool first_attempt);

  chat_stream(const chat_stream&) = delete;
  chat_stream& operator=(const chat_stream&) = delete;

  // The transfer's thread.

  void on_head(long status, std::string retry_after);

  /// Reads `bytes`, which came `since_start` after the request went out,
  /// and hands each piece of text to `deliver(std::string&&, std::int64_t
  /// model_first_ns)` — called while the call cannot close the stream.
  /// `model_first_ns`: the provider's time to the attempt's first piece,
  /// -1 on the others.
  template <class Deliver>
  chat_stream_end
  on_body(std::string_view bytes, std::chrono::nanoseconds since_start,
          Deliver&& deliver) {
    if (ended_)
      return {};
    auto end = read(bytes);
    if (!pieces_.empty())
      hand_on(since_start, deliver);
    return end;
  }

  // The call's side.

  /// Hands nothing more on; true if anything was.
  bool close();

  /// When bytes last came (the stream's start before any did).
  clock::time_point last_activity() const {
    return clock::time_point{
      clock::duration{last_activity_.load(std::memory_order_relaxed)}};
  }

  long status() const {
    return status_;
  }
  /// The head's `Retry-After`, if one came yet: the call may ask while the
  /// transfer runs (a silent attempt it retries).
  std::string retry_after();
  const std::string& error_body() const {
    return error_body_;
  }
  const delta_assembler& assembler() const {
    return assembler_;
  }

private:
  /// Takes `bytes` in: the texts they complete into `pieces_`.
  chat_stream_end read(std::string_view bytes);
  chat_stream_end parse(std::string_view bytes);
  /// One event's data: its text into `pieces_`, or how it ends the answer.
  chat_stream_end take(std::string_view data);
  /// The stream says its last: nothing more of the response is read.
  chat_stream_end end(chat_stream_end last);

  template <class Deliver>
  void hand_on(std::chrono::nanoseconds since_start, Deliver& deliver) {
    std::lock_guard<std::mutex> gate{gate_};
    if (closed_) {
      ended_ = true;
    } else {
      for (auto& text : pieces_) {
        deliver(std::move(text),
                first_attempt_ && !emitted_ ? since_start.count() : -1);
        emitted_ = true;
      }
    }
    pieces_.clear();
  }

  const std::size_t max_bytes_;
  const bool first_attempt_;
  std::atomic<clock::rep> last_activity_;
  long status_ = 0;
  std::string error_body_;
  std::size_t bytes_ = 0;
  sse_parser parser_;
  delta_assembler assembler_;
  /// The texts of one read; kept, so a token allocates no list.
  std::vector<std::string> pieces_;
  /// Set on the transfer's thread once the stream said its last.
  bool ended_ = false;

  /// What both sides use while the transfer runs.
  std::mutex gate_;
  bool closed_ = false;
  bool emitted_ = false;
  std::string retry_after_;
};

} // namespace agenttheo
