#include "protocol/sse_parser.hpp"

namespace agenttheo {

sse_parser::sse_parser(std::size_t max_line) : max_line_(max_line) {
}

bool sse_parser::feed(std::string_view bytes, std::vector<std::string>& events) {
  std::vector<sse_message> messages;
  auto ok = feed(bytes, messages);
  for (auto& m : messages)
    events.push_back(std::move(m.data));
  return ok;
}

bool sse_parser::feed(std::string_view bytes, std::vector<sse_message>& events) {
  for (char c : bytes) {
    if (failed_)
      return false;
    if (c == '\n' && after_cr_) {
      // The LF of a CRLF pair: the CR already ended the line.
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      on_line(events);
      line_.clear();
      continue;
    }
    if (line_.size() >= max_line_) {
      failed_ = true;
      return false;
    }
    line_ += c;
  }
  return !failed_;
}

void sse_parser::on_line(std::vector<sse_message>& events) {
  if (line_.empty()) {
    if (has_data_)
      events.push_back(std::move(current_));
    current_ = {};
    has_data_ = false;
    return;
  }
  if (line_.front() == ':')
    return;
  auto colon = line_.find(':');
  std::string_view name{line_.data(), colon == std::string::npos ? line_.size()
                                                                  : colon};
  std::string_view value;
  if (colon != std::string::npos) {
    value = std::string_view{line_}.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (name == "event") {
    current_.event = value;
  } else if (name == "id") {
    current_.id = value;
    current_.has_id = true;
  } else if (name == "data") {
    if (has_data_)
      current_.data += '\n';
    current_.data += value;
    has_data_ = true;
    if (current_.data.size() > max_line_)
      failed_ = true;
  } // retry: and unknown fields are ignored
}

} // namespace agenttheo
