#include "llm/chat_stream.hpp"

#include <algorithm>

namespace agenttheo {

chat_stream::chat_stream(std::size_t max_bytes, bool first_attempt)
  : max_bytes_(max_bytes),
    first_attempt_(first_attempt),
    last_activity_(clock::now().time_since_epoch().count()),
    parser_(max_bytes) {
}

void chat_stream::on_head(long status, std::string retry_after) {
  status_ = status;
  std::lock_guard<std::mutex> gate{gate_};
  retry_after_ = std::move(retry_after);
}

std::string chat_stream::retry_after() {
  std::lock_guard<std::mutex> gate{gate_};
  return retry_after_;
}

bool chat_stream::close() {
  std::lock_guard<std::mutex> gate{gate_};
  closed_ = true;
  return emitted_;
}

chat_stream_end chat_stream::read(std::string_view bytes) {
  last_activity_.store(clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
  bytes_ += bytes.size();
  if (bytes_ > max_bytes_)
    return end(
      {chat_stream_end::kind::failed, "llm_response_too_long",
       "the response exceeded " + std::to_string(max_bytes_) + " bytes"});
  if (status_ < 200 || status_ >= 300) {
    auto room = max_error_body - std::min(max_error_body, error_body_.size());
    error_body_.append(bytes.substr(0, room));
    return {};
  }
  return parse(bytes);
}

chat_stream_end chat_stream::parse(std::string_view bytes) {
  chat_stream_end last;
  // Each event is taken as the parser completes it; none after the one
  // that ends the answer.
  auto whole_lines = parser_.feed(bytes, [&](const sse_message& event) {
    if (last.what == chat_stream_end::kind::open)
      last = take(event.data);
  });
  if (last.what != chat_stream_end::kind::open)
    return end(std::move(last));
  if (!whole_lines)
    return end(
      {chat_stream_end::kind::failed, "llm_bad_response",
       "the provider sent a stream line longer than the response limit"});
  return {};
}

chat_stream_end chat_stream::take(std::string_view data) {
  auto out = assembler_.on_data(data);
  switch (out.what) {
    case chunk_outcome::kind::ok:
      if (!out.content.empty())
        pieces_.push_back(std::move(out.content));
      return {};
    case chunk_outcome::kind::done:
      return {chat_stream_end::kind::whole, {}, {}};
    case chunk_outcome::kind::malformed:
      return {chat_stream_end::kind::failed, "llm_bad_response",
              "the provider sent " + out.error};
    case chunk_outcome::kind::provider_error:
      return {chat_stream_end::kind::failed, "llm_provider_error",
              "the provider reported: " + out.error};
  }
  return {};
}

chat_stream_end chat_stream::end(chat_stream_end last) {
  ended_ = true;
  return last;
}

} // namespace agenttheo
