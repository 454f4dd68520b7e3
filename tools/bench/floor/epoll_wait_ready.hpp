#pragma once

#include <sys/epoll.h>

#include <vector>

namespace floor_bench {

/// One wait on `epoll`: `on_ready(fd)` for each descriptor it reports.
template <class F>
void epoll_wait_ready(int epoll, F&& on_ready) {
  thread_local std::vector<epoll_event> events(256);
  int n
    = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
  for (int k = 0; k < n; ++k)
    on_ready(events[k].data.fd);
}

} // namespace floor_bench
