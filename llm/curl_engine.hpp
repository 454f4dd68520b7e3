#pragma once

// The curl driver's engines: where its transfers run (a thread of its own,
// llm/curl_thread_engine.cpp, or an I/O context, http/curl_io_engine.cpp),
// and the pieces both use.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include <curl/curl.h>

#include "llm/curl_driver.hpp"

namespace agenttheo {

/// A transfer an engine owns: its easy handle and what it must free.
struct running_transfer {
  std::uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  transfer_callbacks callbacks;
  std::string body;
  long status = 0;
  std::string retry_after;
  bool head_reported = false;
  /// When this thread handed it to curl.
  std::chrono::steady_clock::time_point started;
  /// `http_transfer::near`.
  const void* near = nullptr;
  char error[CURL_ERROR_SIZE] = {};

  ~running_transfer() {
    if (easy)
      curl_easy_cleanup(easy);
    if (headers)
      curl_slist_free_all(headers);
  }
};

/// An easy handle set up for `transfer`, reporting to `callbacks`.
std::unique_ptr<running_transfer> make_running_transfer(std::uint64_t id,
                                                        http_transfer transfer,
                                                        transfer_callbacks callbacks);

/// A multi handle driven by its sockets (curl's multi-socket API): curl
/// tells `on_socket` which sockets to watch for what, and `on_timer` when
/// to call it back, each with `engine`.
CURLM* make_multi(curl_socket_callback on_socket, curl_multi_timer_callback on_timer,
                  void* engine);

/// The transfers of one multi handle, by id; used by one thread at a time.
class transfer_table {
public:
  explicit transfer_table(CURLM* multi) : multi_(multi) {}
  ~transfer_table();

  transfer_table(const transfer_table&) = delete;
  transfer_table& operator=(const transfer_table&) = delete;

  /// Hands `t` to curl, which starts it.
  void add(std::unique_ptr<running_transfer> t);

  /// Ends a transfer without reporting it.
  void cancel(std::uint64_t id);

  /// Reports the transfers curl has finished.
  void reap();

private:
  void finish(std::uint64_t id, const transfer_result* result);

  CURLM* multi_;
  std::unordered_map<std::uint64_t, std::unique_ptr<running_transfer>> transfers_;
};

/// Where a driver's transfers run.
class curl_engine {
public:
  virtual ~curl_engine() = default;
  /// Any thread.
  virtual void submit(std::unique_ptr<running_transfer> transfer) = 0;
  /// Any thread.
  virtual void cancel(std::uint64_t id) = 0;
};

/// curl's multi-socket API over epoll on a thread of the engine's own
/// (`agenttheo.curl`).
std::unique_ptr<curl_engine> make_thread_engine();

} // namespace agenttheo
