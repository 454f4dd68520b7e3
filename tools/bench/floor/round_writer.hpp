#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "epoll_loop.hpp"
#include "token_log.hpp"

namespace floor_bench {

/// One thread's subscribers and the loop that writes rounds to them.
class round_writer {
public:
  explicit round_writer(token_log& log) : log_{log} {}

  /// From the acceptor: a subscriber whose head is already written.
  void adopt(int fd) {
    loop_.adopt(fd);
  }

  /// From the publisher: the log has grown.
  void wake() {
    loop_.wake();
  }

  [[noreturn]] void run() {
    loop_.run([this](int fd) { flush(fd); },
              [this](const std::vector<int>& adopted) {
                for (int fd : adopted)
                  pending_.emplace(fd, std::string{});
                write_round();
              });
  }

private:
  /// Everything published since the last round, to every subscriber.
  void write_round() {
    auto batch = log_.since(written_);
    if (batch.empty())
      return;
    std::vector<int> gone;
    for (auto& [fd, pending] : pending_) {
      if (!pending.empty()) {
        pending += batch; // EPOLLOUT will write it
        continue;
      }
      auto sent
        = ::send(fd, batch.data(), batch.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && errno != EAGAIN) {
        gone.push_back(fd);
        continue;
      }
      auto written = static_cast<std::size_t>(std::max<ssize_t>(sent, 0));
      if (written < batch.size()) {
        pending.assign(batch, written);
        loop_.watch(fd, EPOLLOUT);
      }
    }
    for (int fd : gone)
      drop(fd);
  }

  void flush(int fd) {
    auto at = pending_.find(fd);
    if (at == pending_.end())
      return;
    auto& pending = at->second;
    auto sent
      = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN)
      return drop(fd);
    if (sent > 0)
      pending.erase(0, static_cast<std::size_t>(sent));
    if (pending.empty())
      loop_.forget(fd);
  }

  void drop(int fd) {
    loop_.forget(fd);
    pending_.erase(fd);
    ::close(fd);
  }

  token_log& log_;
  epoll_loop loop_;
  std::unordered_map<int, std::string> pending_;
  std::size_t written_ = 0;
};

} // namespace floor_bench
