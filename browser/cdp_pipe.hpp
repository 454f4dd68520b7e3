#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace agenttheo {

/// The CDP transport over Chromium's debugging pipe: NUL-delimited JSON
/// messages. A reader thread hands each message to `on_message`; a writer
/// thread drains the send queue, so `send` never blocks its caller (an
/// actor) even when the browser is slow to read. `on_closed` runs once when
/// the browser's end goes away (it exited, crashed, or was killed).
class cdp_pipe {
public:
  cdp_pipe(int to_browser, int from_browser,
           std::function<void(std::string)> on_message,
           std::function<void()> on_closed);
  ~cdp_pipe();

  cdp_pipe(const cdp_pipe&) = delete;
  cdp_pipe& operator=(const cdp_pipe&) = delete;

  void send(std::string message);

private:
  void read_loop();
  void write_loop();

  int to_browser_;
  int from_browser_;
  std::function<void(std::string)> on_message_;
  std::function<void()> on_closed_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread reader_;
  std::thread writer_;
};

} // namespace agenttheo
