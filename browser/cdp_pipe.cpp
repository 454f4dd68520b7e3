#include "browser/cdp_pipe.hpp"

#include <cerrno>

#include <unistd.h>

#include "util/cpu_affinity.hpp"

namespace agenttheo {

namespace {

/// Longest message accepted from the browser (screenshots are the largest).
constexpr std::size_t max_message = 64u << 20;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

cdp_pipe::cdp_pipe(int to_browser, int from_browser,
                   std::function<void(std::string)> on_message,
                   std::function<void()> on_closed)
  : to_browser_(to_browser),
    from_browser_(from_browser),
    on_message_(std::move(on_message)),
    on_closed_(std::move(on_closed)) {
  reader_ = std::thread([this] {
    name_and_reset_this_thread("agenttheo.cdp");
    read_loop();
  });
  writer_ = std::thread([this] {
    name_and_reset_this_thread("agenttheo.cdp");
    write_loop();
  });
}

cdp_pipe::~cdp_pipe() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
  // The owner kills the browser first (kill_chromium): its end of the pipe
  // closes, the reader's blocking read returns, and the join completes.
  reader_.join();
}

void cdp_pipe::send(std::string message) {
  message.push_back('\0');
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queue_.push_back(std::move(message));
  }
  wake_writer_.notify_one();
}

void cdp_pipe::write_loop() {
  for (;;) {
    std::string next;
    {
      std::unique_lock<std::mutex> guard{mutex_};
      wake_writer_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_)
        return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!write_all(to_browser_, next.data(), next.size()))
      return; // the reader sees the browser go and reports it
  }
}

void cdp_pipe::read_loop() {
  std::string pending;
  char buf[65536];
  for (;;) {
    auto n = read(from_browser_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    std::size_t start = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      if (buf[i] != '\0')
        continue;
      pending.append(buf + start, i - start);
      on_message_(std::move(pending));
      pending.clear();
      start = i + 1;
    }
    pending.append(buf + start, static_cast<std::size_t>(n) - start);
    if (pending.size() > max_message)
      break;
  }
  on_closed_();
}

} // namespace agenttheo
