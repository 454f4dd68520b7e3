#include "http_poster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <strings.h>

namespace loadgen {

http_poster::http_poster(const std::string& url) {
  auto rest = url.substr(url.find("//") + 2);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  path_ = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.find(':');
  host_ = authority.substr(0, colon);
  if (colon != std::string::npos)
    port_ = std::atoi(authority.c_str() + colon + 1);
}

http_poster::~http_poster() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool http_poster::connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<std::uint16_t>(port_));
  inet_pton(AF_INET, host_.c_str(), &dst.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0)
    return true;
  ::close(fd_);
  fd_ = -1;
  return false;
}

int http_poster::post(const std::string& body) {
  if (fd_ < 0 && !connect())
    return 0;
  auto request = "POST " + path_ + " HTTP/1.1\r\nHost: " + host_
                 + "\r\nContent-Type: application/json\r\nContent-Length: "
                 + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL)
      != static_cast<ssize_t>(request.size())) {
    ::close(fd_);
    fd_ = -1;
    return 0;
  }
  auto status = read_response();
  if (status == 0) {
    ::close(fd_);
    fd_ = -1;
  }
  return status;
}

/// Reads one response with a Content-Length body (what both peers send).
int http_poster::read_response() {
  char chunk[4096];
  for (;;) {
    auto end = buffer_.find("\r\n\r\n");
    if (end != std::string::npos) {
      int status = std::atoi(buffer_.c_str() + buffer_.find(' ') + 1);
      std::size_t length = 0;
      auto at = buffer_.find("\r\n");
      while (at < end) {
        auto next = buffer_.find("\r\n", at + 2);
        if (strncasecmp(buffer_.c_str() + at + 2, "content-length:", 15) == 0)
          length = std::strtoull(buffer_.c_str() + at + 17, nullptr, 10);
        at = next;
      }
      if (buffer_.size() >= end + 4 + length) {
        buffer_.erase(0, end + 4 + length);
        return status;
      }
    }
    auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0)
      return 0;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

} // namespace loadgen
