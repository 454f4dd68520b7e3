#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

class curl_engine;
class plain_http_engine;

/// One HTTP request to send.
struct http_transfer {
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Whole transfer, 0 for none.
  std::chrono::milliseconds total_timeout{0};
  /// The I/O context (as `event_sink::io_context` names it) whose thread
  /// should read the response, where the driver runs on several: the one
  /// of the sockets the bytes go on to. Null: the driver's choice.
  const void* near = nullptr;
};

/// How a transfer ended.
struct transfer_result {
  /// 0 when the transfer completed (whatever the HTTP status).
  int curl_code = 0;
  std::string message;
};

/// curl's codes (`transfer_result::curl_code`) for the failures told apart,
/// which a transfer curl does not run reports too.
namespace transfer_code {
constexpr int couldnt_resolve = 6;
constexpr int couldnt_connect = 7;
constexpr int weird_reply = 8;
constexpr int partial = 18;
constexpr int timed_out = 28;
constexpr int empty_reply = 52;
constexpr int send_error = 55;
constexpr int recv_error = 56;
} // namespace transfer_code

/// Called on the driver's thread: keep them short (post a message).
struct transfer_callbacks {
  /// Once the response head is in: status and `Retry-After` (may be empty).
  std::function<void(long status, std::string retry_after)> on_head;
  /// Bytes of the response body, valid for the call (read them where they
  /// lie: a token's read allocates nothing for them), and how long after
  /// the driver started the transfer they came: the provider's own time,
  /// from the request going out to its answer arriving, none of it ours.
  std::function<void(std::string_view bytes,
                     std::chrono::nanoseconds since_start)>
    on_body;
  std::function<void(transfer_result)> on_done;
};

/// Runs every HTTP transfer of the process over one curl multi handle, on
/// one thread (its own, or an I/O thread): hundreds of concurrent streaming
/// LLM calls cost one thread. Given a plain-HTTP engine, the transfers it
/// takes (`http://`, no proxy) run there instead, without curl.
/// `start` and `cancel` are thread-safe and return at once.
class curl_driver {
public:
  /// Transfers on a thread of the driver's own.
  curl_driver();
  /// Transfers where `engine` runs them (`http::make_curl_io_engine`: on
  /// the I/O threads, which then read a provider's bytes where they write
  /// the sockets).
  explicit curl_driver(std::unique_ptr<curl_engine> engine);
  /// And the transfers `plain` takes there (null: none).
  curl_driver(std::unique_ptr<curl_engine> engine,
              std::unique_ptr<plain_http_engine> plain);
  ~curl_driver();

  curl_driver(const curl_driver&) = delete;
  curl_driver& operator=(const curl_driver&) = delete;

  std::uint64_t start(http_transfer transfer, transfer_callbacks callbacks);

  /// Aborts the transfer; no callback of it runs once the driver has
  /// processed the cancel (callbacks already running may finish).
  void cancel(std::uint64_t id);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agenttheo
