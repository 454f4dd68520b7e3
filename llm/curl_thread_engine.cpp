#include "llm/curl_engine.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace agenttheo {

namespace {

/// The driver's own thread: curl's multi-socket API over epoll, so each
/// wake-up touches only the sockets that are ready. (`curl_multi_perform`
/// checks every transfer on every wake-up: quadratic with a thousand
/// streams.)
class thread_engine final : public curl_engine {
public:
  thread_engine() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
    multi_ = make_multi(on_socket, on_timer, this);
    table_ = std::make_unique<transfer_table>(multi_);
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "agenttheo.curl");
      loop();
    });
  }

  ~thread_engine() override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stopping_ = true;
    }
    wakeup();
    thread_.join();
    table_.reset();
    curl_multi_cleanup(multi_);
    close(wake_);
    close(epoll_);
  }

  void submit(std::unique_ptr<running_transfer> transfer) override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      pending_starts_.push_back(std::move(transfer));
    }
    wakeup();
  }

  void cancel(std::uint64_t id) override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      pending_cancels_.push_back(id);
    }
    wakeup();
  }

private:
  void wakeup() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_, &one, sizeof(one));
  }

  /// curl tells which socket to watch for what.
  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr,
                       void* known) {
    auto* self = static_cast<thread_engine*>(self_ptr);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(self->epoll_, EPOLL_CTL_DEL, fd, nullptr);
      return 0;
    }
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u)
                | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (known) {
      epoll_ctl(self->epoll_, EPOLL_CTL_MOD, fd, &ev);
    } else {
      epoll_ctl(self->epoll_, EPOLL_CTL_ADD, fd, &ev);
      curl_multi_assign(self->multi_, fd, self);
    }
    return 0;
  }

  /// curl asks to be called back after `timeout_ms` (-1: no timer).
  static int on_timer(CURLM*, long timeout_ms, void* self_ptr) {
    auto* self = static_cast<thread_engine*>(self_ptr);
    if (timeout_ms < 0)
      self->deadline_.reset();
    else
      self->deadline_ = std::chrono::steady_clock::now()
                        + std::chrono::milliseconds{timeout_ms};
    return 0;
  }

  int epoll_timeout() const {
    if (!deadline_)
      return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *deadline_ - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
  }

  void loop() {
    epoll_event events[256];
    int running = 0;
    for (;;) {
      auto n = epoll_wait(epoll_, events, 256, epoll_timeout());
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == wake_) {
          std::uint64_t drained = 0;
          [[maybe_unused]] auto r = read(wake_, &drained, sizeof(drained));
          if (!take_commands())
            return;
          continue;
        }
        int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0)
                    | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                    | (events[i].events & (EPOLLERR | EPOLLHUP)
                         ? CURL_CSELECT_ERR
                         : 0);
        curl_multi_socket_action(multi_, events[i].data.fd, flags, &running);
      }
      if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
        deadline_.reset();
        curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      table_->reap();
    }
  }

  /// Applies queued starts and cancels; false when the driver stops.
  bool take_commands() {
    std::deque<std::unique_ptr<running_transfer>> starts;
    std::deque<std::uint64_t> cancels;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (stopping_)
        return false;
      starts.swap(pending_starts_);
      cancels.swap(pending_cancels_);
    }
    for (auto& t : starts)
      table_->add(std::move(t));
    for (auto id : cancels)
      table_->cancel(id);
    return true;
  }

  int epoll_ = -1;
  int wake_ = -1;
  CURLM* multi_ = nullptr;
  std::unique_ptr<transfer_table> table_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::thread thread_;
  std::mutex mutex_;
  bool stopping_ = false;
  std::deque<std::unique_ptr<running_transfer>> pending_starts_;
  std::deque<std::uint64_t> pending_cancels_;
};

} // namespace

std::unique_ptr<curl_engine> make_thread_engine() {
  return std::make_unique<thread_engine>();
}

} // namespace agenttheo
