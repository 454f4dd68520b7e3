#include "stream_reader.hpp"

#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace loadgen {

bool stream_reader::feed(const char* data, std::size_t n, payload_sink& sink) {
  if (!head_done_) {
    raw_.append(data, n);
    if (!parse_head())
      return false;
    if (!head_done_)
      return true;
  } else if (chunked_) {
    raw_.append(data, n);
  } else {
    body_.append(data, n);
  }
  if (chunked_ && !dechunk())
    return false;
  if (framing_ == framing::sse) {
    split_sse(sink);
    return true;
  }
  return split_ws(sink);
}

bool stream_reader::parse_head() {
  auto end = raw_.find("\r\n\r\n");
  if (end == std::string::npos)
    return raw_.size() < 64 * 1024;
  if (raw_.compare(0, 5, "HTTP/") != 0)
    return false;
  auto space = raw_.find(' ');
  status_ = std::atoi(raw_.c_str() + space + 1);
  std::string_view head{raw_.data(), end};
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;) {
    auto next = head.find("\r\n", at + 2);
    auto line = head.substr(at + 2, next == std::string_view::npos
                                      ? std::string_view::npos
                                      : next - at - 2);
    constexpr std::string_view te = "transfer-encoding:";
    if (line.size() > te.size()
        && strncasecmp(line.data(), te.data(), te.size()) == 0
        && line.find("chunked") != std::string_view::npos)
      chunked_ = true;
    at = next;
  }
  head_done_ = true;
  auto rest = raw_.substr(end + 4);
  raw_.clear();
  if (chunked_)
    raw_ = std::move(rest);
  else
    body_ = std::move(rest);
  return true;
}

bool stream_reader::dechunk() {
  while (raw_at_ < raw_.size() && !ended_) {
    if (in_chunk_) {
      auto take = std::min(chunk_left_, raw_.size() - raw_at_);
      body_.append(raw_, raw_at_, take);
      raw_at_ += take;
      chunk_left_ -= take;
      if (chunk_left_ > 0)
        break;
      in_chunk_ = false;
      continue;
    }
    // A size line, possibly preceded by the CRLF that closed the last chunk.
    auto eol = raw_.find("\r\n", raw_at_);
    if (eol == std::string::npos)
      break;
    if (eol == raw_at_) {
      raw_at_ += 2;
      continue;
    }
    char* end = nullptr;
    auto size = std::strtoull(raw_.c_str() + raw_at_, &end, 16);
    if (end == raw_.c_str() + raw_at_)
      return false;
    raw_at_ = eol + 2;
    if (size == 0) {
      ended_ = true;
      break;
    }
    chunk_left_ = size;
    in_chunk_ = true;
  }
  compact(raw_, raw_at_);
  return true;
}

void stream_reader::split_sse(payload_sink& sink) {
  for (;;) {
    auto end = body_.find("\n\n", body_at_);
    if (end == std::string::npos)
      break;
    sink.on_payload(std::string_view{body_}.substr(body_at_, end - body_at_));
    body_at_ = end + 2;
  }
  compact(body_, body_at_);
}

bool stream_reader::split_ws(payload_sink& sink) {
  for (;;) {
    auto avail = body_.size() - body_at_;
    if (avail < 2)
      break;
    auto* p = reinterpret_cast<const unsigned char*>(body_.data() + body_at_);
    bool fin = p[0] & 0x80;
    unsigned opcode = p[0] & 0x0f;
    if (p[1] & 0x80)
      return false; // servers never mask
    std::uint64_t len = p[1] & 0x7f;
    std::size_t header = 2;
    if (len == 126) {
      if (avail < 4)
        break;
      len = (std::uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (len == 127) {
      if (avail < 10)
        break;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | p[2 + i];
      header = 10;
    }
    if (avail < header + len)
      break;
    std::string_view payload{body_.data() + body_at_ + header,
                             static_cast<std::size_t>(len)};
    body_at_ += header + len;
    if (opcode == 8) {
      ended_ = true;
      break;
    }
    if (opcode == 1 || opcode == 2 || opcode == 0) {
      if (fin && message_.empty()) {
        if (opcode != 2)
          sink.on_payload(payload);
      } else {
        message_.append(payload);
        if (fin) {
          sink.on_payload(message_);
          message_.clear();
        }
      }
    }
  }
  compact(body_, body_at_);
  return true;
}

void stream_reader::compact(std::string& buffer, std::size_t& offset) {
  if (offset == buffer.size()) {
    buffer.clear();
    offset = 0;
  } else if (offset > 64 * 1024) {
    buffer.erase(0, offset);
    offset = 0;
  }
}

} // namespace loadgen
