#include "llm/curl_engine.hpp"

#include <cctype>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

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
    t.callbacks.on_body(std::string_view{data, size * count},
                        std::chrono::steady_clock::now() - t.started);
  return size * count;
}

} // namespace

std::unique_ptr<running_transfer> make_running_transfer(std::uint64_t id,
                                                        http_transfer transfer,
                                                        transfer_callbacks callbacks) {
  auto t = std::make_unique<running_transfer>();
  t->id = id;
  t->near = transfer.near;
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
  return t;
}

CURLM* make_multi(curl_socket_callback on_socket, curl_multi_timer_callback on_timer,
                  void* engine) {
  auto* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, engine);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, engine);
  return multi;
}

transfer_table::~transfer_table() {
  for (auto& [id, t] : transfers_)
    curl_multi_remove_handle(multi_, t->easy);
}

void transfer_table::add(std::unique_ptr<running_transfer> t) {
  // Adding arms curl's timer, which starts the transfer.
  t->started = std::chrono::steady_clock::now();
  curl_multi_add_handle(multi_, t->easy);
  auto id = t->id;
  transfers_.emplace(id, std::move(t));
}

void transfer_table::cancel(std::uint64_t id) {
  finish(id, nullptr);
}

void transfer_table::reap() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
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
void transfer_table::finish(std::uint64_t id, const transfer_result* result) {
  auto i = transfers_.find(id);
  if (i == transfers_.end())
    return;
  auto t = std::move(i->second);
  transfers_.erase(i);
  curl_multi_remove_handle(multi_, t->easy);
  if (result && t->callbacks.on_done)
    t->callbacks.on_done(*result);
}

} // namespace agenttheo
