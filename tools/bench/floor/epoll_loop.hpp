#pragma once

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace floor_bench {

/// An epoll set and the one thread that waits on it, with a way in from
/// other threads: descriptors handed over (`adopt`) and a nudge (`wake`),
/// both through one eventfd in the set.
class epoll_loop {
public:
  epoll_loop() {
    watch(wake_, EPOLLIN);
  }
  epoll_loop(const epoll_loop&) = delete;
  epoll_loop& operator=(const epoll_loop&) = delete;

  void watch(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }

  void forget(int fd) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  }

  /// Any thread: `fd` is handed to the loop's next turn.
  void adopt(int fd) {
    {
      std::lock_guard<std::mutex> guard{adopt_mutex_};
      adopted_.push_back(fd);
    }
    wake();
  }

  /// Any thread: the loop takes a turn soon.
  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
  }

  /// Forever, a turn per wait: `on_ready(fd)` for each descriptor that is
  /// ready, then `on_turn(adopted)` with those handed over since the last.
  template <class OnReady, class OnTurn>
  [[noreturn]] void run(OnReady on_ready, OnTurn on_turn) {
    std::vector<epoll_event> events(256);
    std::vector<int> adopted;
    for (;;) {
      int n = ::epoll_wait(epoll_, events.data(),
                           static_cast<int>(events.size()), -1);
      for (int k = 0; k < n; ++k) {
        int fd = events[k].data.fd;
        if (fd != wake_) {
          on_ready(fd);
          continue;
        }
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_, &count, sizeof count);
      }
      adopted.clear();
      {
        std::lock_guard<std::mutex> guard{adopt_mutex_};
        adopted.swap(adopted_);
      }
      on_turn(adopted);
    }
  }

private:
  int epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  int wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::mutex adopt_mutex_;
  std::vector<int> adopted_;
};

} // namespace floor_bench
