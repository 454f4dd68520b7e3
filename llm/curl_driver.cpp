#include "llm/curl_driver.hpp"

#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <curl/curl.h>

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
    std::string name = line.substr(0, 12);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "retry-after:")
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
    t.callbacks.on_body(std::string{data, size * count});
  return size * count;
}

} // namespace

struct curl_driver::impl {
  impl() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    thread = std::thread([this] { loop(); });
  }

  ~impl() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    for (auto& [id, t] : transfers)
      curl_multi_remove_handle(multi, t->easy);
    transfers.clear();
    curl_multi_cleanup(multi);
  }

  void loop() {
    for (;;) {
      if (!take_commands())
        return;
      int running = 0;
      curl_multi_perform(multi, &running);
      reap_finished();
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
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
      curl_multi_add_handle(multi, t->easy);
      auto id = t->id;
      transfers.emplace(id, std::move(t));
    }
    for (auto id : cancels)
      finish(id, nullptr);
    count = transfers.size();
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
    count = transfers.size();
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

  CURLM* multi = nullptr;
  std::thread thread;
  mutable std::mutex mutex;
  bool stopping = false;
  std::deque<std::unique_ptr<running_transfer>> pending_starts;
  std::deque<std::uint64_t> pending_cancels;
  std::unordered_map<std::uint64_t, std::unique_ptr<running_transfer>> transfers;
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::size_t> count{0};
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
  curl_multi_wakeup(impl_->multi);
  return id;
}

void curl_driver::cancel(std::uint64_t id) {
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    impl_->pending_cancels.push_back(id);
  }
  curl_multi_wakeup(impl_->multi);
}

std::size_t curl_driver::active() const {
  return impl_->count;
}

} // namespace agenttheo
