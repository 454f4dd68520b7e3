#pragma once

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "epoll_wait_ready.hpp"
#include "token_log.hpp"

namespace floor_bench {

/// One thread's subscribers and the loop that writes rounds to them.
class round_writer {
public:
  explicit round_writer(token_log& log) : log_{log} {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
  }

  /// From the acceptor: a subscriber whose head is already written.
  void adopt(int fd) {
    {
      std::lock_guard<std::mutex> guard{adopt_mutex_};
      adopted_.push_back(fd);
    }
    wake();
  }

  /// From the publisher: the log has grown.
  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
  }

  void run() {
    for (;;) {
      epoll_wait_ready(epoll_, [this](int fd) {
        if (fd != wake_)
          return flush(fd);
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_, &count, sizeof count);
      });
      take_adopted();
      write_round();
    }
  }

private:
  void take_adopted() {
    std::lock_guard<std::mutex> guard{adopt_mutex_};
    for (int fd : adopted_)
      pending_.emplace(fd, std::string{});
    adopted_.clear();
  }

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
        watch_writable(fd);
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
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  }

  void drop(int fd) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    pending_.erase(fd);
    ::close(fd);
  }

  void watch_writable(int fd) {
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }

  token_log& log_;
  int epoll_;
  int wake_;
  std::mutex adopt_mutex_;
  std::vector<int> adopted_;
  std::unordered_map<int, std::string> pending_;
  std::size_t written_ = 0;
};

} // namespace floor_bench
