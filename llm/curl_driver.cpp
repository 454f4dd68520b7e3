#include "llm/curl_driver.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>
#include <optional>
#include <unordered_map>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// A transfer the driver thread owns: its easy handle and what it must free.
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
  char error[CURL_ERROR_SIZE] = {};

  ~running_transfer() {
    if (easy)
      curl_easy_cleanup(easy);
    if (headers)
      curl_slist_free_all(headers);
  }
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
    ++i;
  return s.substr(i);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<running_transfer*>(user);
  std::string line{data, size * count};
  if (line.rfind("HTTP/", 0) == 0) {
    // A new head (after a 100 Continue, say) starts over.
    t.retry_after.clear();
    t.head_reported = false;
  } else if (line.size() > 12) {
    if (iequals(std::string_view{line}.substr(0, 12), "retry-after:"))
      t.retry_after = trim(line.substr(12));
  }
  if (line == "\r\n" || line == "\n") {
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.status);
    if (t.status >= 200 && !t.head_reported && t.callbacks.on_head) {
      t.head_reported = true;
      t.callbacks.on_head(t.status, t.retry_after);
    }
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<running_transfer*>(user);
  if (t.callbacks.on_body)
    t.callbacks.on_body(std::string{data, size * count},
                        std::chrono::steady_clock::now() - t.started);
  return size * count;
}

} // namespace

/// The driver thread: curl's multi-socket API over epoll, so each wake-up
/// touches only the sockets that are ready. (`curl_multi_perform` checks
/// every transfer on every wake-up: quadratic with a thousand streams.)
struct curl_driver::impl {
  impl() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    epoll = epoll_create1(EPOLL_CLOEXEC);
    wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake;
    epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &ev);
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    thread = std::thread([this] { loop(); });
  }

  ~impl() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      stopping = true;
    }
    wakeup();
    thread.join();
    for (auto& [id, t] : transfers)
      curl_multi_remove_handle(multi, t->easy);
    transfers.clear();
    curl_multi_cleanup(multi);
    close(wake);
    close(epoll);
  }

  void wakeup() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake, &one, sizeof(one));
  }

  /// curl tells which socket to watch for what.
  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr,
                       void* known) {
    auto* self = static_cast<impl*>(self_ptr);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(self->epoll, EPOLL_CTL_DEL, fd, nullptr);
      return 0;
    }
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u)
                | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (known) {
      epoll_ctl(self->epoll, EPOLL_CTL_MOD, fd, &ev);
    } else {
      epoll_ctl(self->epoll, EPOLL_CTL_ADD, fd, &ev);
      curl_multi_assign(self->multi, fd, self);
    }
    return 0;
  }

  /// curl asks to be called back after `timeout_ms` (-1: no timer).
  static int on_timer(CURLM*, long timeout_ms, void* self_ptr) {
    auto* self = static_cast<impl*>(self_ptr);
    if (timeout_ms < 0)
      self->deadline.reset();
    else
      self->deadline = std::chrono::steady_clock::now()
                       + std::chrono::milliseconds{timeout_ms};
    return 0;
  }

  int epoll_timeout() const {
    if (!deadline)
      return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
  }

  void loop() {
    epoll_event events[256];
    int running = 0;
    for (;;) {
      auto n = epoll_wait(epoll, events, 256, epoll_timeout());
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == wake) {
          std::uint64_t drained = 0;
          [[maybe_unused]] auto r = read(wake, &drained, sizeof(drained));
          if (!take_commands())
            return;
          continue;
        }
        int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0)
                    | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                    | (events[i].events & (EPOLLERR | EPOLLHUP)
                         ? CURL_CSELECT_ERR
                         : 0);
        curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
      }
      if (deadline && std::chrono::steady_clock::now() >= *deadline) {
        deadline.reset();
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      reap_finished();
    }
  }

  /// Applies queued starts and cancels; false when the driver stops.
  bool take_commands() {
    std::deque<std::unique_ptr<running_transfer>> starts;
    std::deque<std::uint64_t> cancels;
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (stopping)
        return false;
      starts.swap(pending_starts);
      cancels.swap(pending_cancels);
    }
    for (auto& t : starts) {
      // Adding arms curl's timer, which starts the transfer.
      t->started = std::chrono::steady_clock::now();
      curl_multi_add_handle(multi, t->easy);
      auto id = t->id;
      transfers.emplace(id, std::move(t));
    }
    for (auto id : cancels)
      finish(id, nullptr);
    return true;
  }

  void reap_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      running_transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      transfer_result result;
      result.curl_code = static_cast<int>(msg->data.result);
      if (msg->data.result != CURLE_OK)
        result.message = t->error[0] != '\0' ? t->error
                                             : curl_easy_strerror(msg->data.result);
      finish(t->id, &result);
    }
  }

  /// Removes a transfer; reports `result` unless it was cancelled.
  void finish(std::uint64_t id, const transfer_result* result) {
    auto i = transfers.find(id);
    if (i == transfers.end())
      return;
    auto t = std::move(i->second);
    transfers.erase(i);
    curl_multi_remove_handle(multi, t->easy);
    if (result && t->callbacks.on_done)
      t->callbacks.on_done(*result);
  }

  int epoll = -1;
  int wake = -1;
  CURLM* multi = nullptr;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::thread thread;
  mutable std::mutex mutex;
  bool stopping = false;
  std::deque<std::unique_ptr<running_transfer>> pending_starts;
  std::deque<std::uint64_t> pending_cancels;
  std::unordered_map<std::uint64_t, std::unique_ptr<running_transfer>> transfers;
  std::atomic<std::uint64_t> next_id{1};
};

curl_driver::curl_driver() : impl_(std::make_unique<impl>()) {
}

curl_driver::~curl_driver() = default;

std::uint64_t curl_driver::start(http_transfer transfer,
                                 transfer_callbacks callbacks) {
  auto t = std::make_unique<running_transfer>();
  t->id = impl_->next_id++;
  t->callbacks = std::move(callbacks);
  t->body = std::move(transfer.body);
  t->easy = curl_easy_init();
  for (auto& header : transfer.headers)
    t->headers = curl_slist_append(t->headers, header.c_str());
  // No `Expect: 100-continue` round trip before the body.
  t->headers = curl_slist_append(t->headers, "Expect:");
  auto* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, transfer.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(t->body.size()));
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(transfer.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(transfer.total_timeout.count()));
  auto id = t->id;
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    impl_->pending_starts.push_back(std::move(t));
  }
  impl_->wakeup();
  return id;
}

void curl_driver::cancel(std::uint64_t id) {
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    impl_->pending_cancels.push_back(id);
  }
  impl_->wakeup();
}

} // namespace agenttheo
