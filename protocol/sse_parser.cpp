#include "protocol/sse_parser.hpp"

#include <cstring>
#include <utility>

namespace agenttheo {

namespace {

/// Where the first CR or LF in `bytes` is (npos: neither). One vectorised
/// scan for the LF, one for a CR before it: `find_first_of("\r\n")` calls
/// `memchr` over the two-byte set once for each byte of the line, ~4,400
/// instructions a token's chunk (callgrind), most of its parse.
std::size_t line_end(std::string_view bytes) {
  const auto* lf
    = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
  auto before = lf ? static_cast<std::size_t>(lf - bytes.data()) : bytes.size();
  if (const auto* cr
      = static_cast<const char*>(std::memchr(bytes.data(), '\r', before)))
    return static_cast<std::size_t>(cr - bytes.data());
  return lf ? before : std::string_view::npos;
}

} // namespace

sse_parser::sse_parser(std::size_t max_line) : max_line_(max_line) {
}

bool sse_parser::feed(std::string_view bytes, std::vector<std::string>& events) {
  return feed_lines(bytes,
                    [&](const sse_message& m) { events.push_back(m.data); });
}

bool sse_parser::feed(std::string_view bytes, std::vector<sse_message>& events) {
  return feed_lines(bytes, [&](const sse_message& m) { events.push_back(m); });
}

bool sse_parser::feed(std::string_view bytes,
                      const std::function<void(const sse_message&)>& on_event) {
  return feed_lines(bytes, on_event);
}

template <class Emit>
bool sse_parser::feed_lines(std::string_view bytes, Emit&& emit) {
  // Whole lines are taken where they lie in `bytes`; only a line split
  // across reads is gathered in `line_` (a token's chunk is one read).
  while (!bytes.empty() && !failed_) {
    if (after_cr_ && bytes.front() == '\n') {
      // The LF of a CRLF pair: the CR already ended the line.
      bytes.remove_prefix(1);
      after_cr_ = false;
      continue;
    }
    after_cr_ = false;
    auto end = line_end(bytes);
    auto piece = bytes.substr(0, end);
    if (line_.size() + piece.size() > max_line_) {
      failed_ = true;
      break;
    }
    if (end == std::string_view::npos) {
      line_.append(piece);
      break;
    }
    if (line_.empty()) {
      on_line(piece, emit);
    } else {
      line_.append(piece);
      on_line(line_, emit);
      line_.clear();
    }
    after_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
  }
  return !failed_;
}

template <class Emit>
void sse_parser::on_line(std::string_view line, Emit& emit) {
  if (line.empty()) {
    if (has_data_)
      emit(std::as_const(current_));
    // Emptied, keeping their room.
    current_.event.clear();
    current_.id.clear();
    current_.has_id = false;
    current_.data.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':')
    return;
  auto colon = line.find(':');
  auto name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
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
