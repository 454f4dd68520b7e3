#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <utility>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "epoll_loop.hpp"

namespace floor_bench {

constexpr std::string_view sse_head = "HTTP/1.1 200 OK\r\n"
                                      "Content-Type: text/event-stream\r\n"
                                      "Cache-Control: no-cache\r\n\r\n";
constexpr std::string_view accepted = "HTTP/1.1 202 Accepted\r\n"
                                      "Content-Length: 0\r\n\r\n";

/// Accepts connections and reads each request: a GET becomes a subscriber
/// (its SSE head written, then `subscribe(fd)`), a POST's body is
/// published (`publish(body)`, answered 202).
class request_acceptor {
public:
  using subscribe_handler = std::function<void(int fd)>;
  using publish_handler = std::function<void(std::string_view body)>;

  request_acceptor(int port, subscribe_handler subscribe,
                   publish_handler publish)
      : subscribe_{std::move(subscribe)}, publish_{std::move(publish)} {
    listener_
      = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(static_cast<std::uint16_t>(port));
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0
        || ::listen(listener_, 4096) != 0) {
      std::perror("fanout-floor: listen");
      std::exit(1);
    }
    loop_.watch(listener_, EPOLLIN);
  }

  [[noreturn]] void run() {
    loop_.run(
      [this](int fd) {
        if (fd == listener_)
          accept_all();
        else
          read_request(fd);
      },
      [](const std::vector<int>&) {});
  }

private:
  void accept_all() {
    for (;;) {
      int fd
        = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      loop_.watch(fd, EPOLLIN);
    }
  }

  void read_request(int fd) {
    char chunk[4096];
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      forget(fd);
      return;
    }
    auto& in = requests_[fd];
    in.append(chunk, static_cast<std::size_t>(n));
    while (handle_one(fd, in)) {
    }
  }

  /// Handles the first whole request in `in`; false when none is whole, or
  /// the connection became a subscriber's.
  bool handle_one(int fd, std::string& in) {
    auto end = in.find("\r\n\r\n");
    if (end == std::string::npos)
      return false;
    if (in.compare(0, 4, "GET ") == 0) {
      loop_.forget(fd);
      requests_.erase(fd);
      [[maybe_unused]] auto w
        = ::send(fd, sse_head.data(), sse_head.size(), MSG_NOSIGNAL);
      subscribe_(fd);
      return false;
    }
    auto length = content_length(std::string_view{in}.substr(0, end));
    if (in.size() < end + 4 + length)
      return false;
    publish_(std::string_view{in}.substr(end + 4, length));
    in.erase(0, end + 4 + length);
    [[maybe_unused]] auto w
      = ::send(fd, accepted.data(), accepted.size(), MSG_NOSIGNAL);
    return true;
  }

  static std::size_t content_length(std::string_view head) {
    constexpr std::string_view key = "\r\ncontent-length:";
    for (std::size_t at = 0;
         (at = head.find("\r\n", at)) != std::string_view::npos; at += 2)
      if (head.size() >= at + key.size()
          && ::strncasecmp(head.data() + at, key.data(), key.size()) == 0)
        return std::strtoull(head.data() + at + key.size(), nullptr, 10);
    return 0;
  }

  void forget(int fd) {
    loop_.forget(fd);
    requests_.erase(fd);
    ::close(fd);
  }

  subscribe_handler subscribe_;
  publish_handler publish_;
  int listener_;
  epoll_loop loop_;
  std::unordered_map<int, std::string> requests_;
};

} // namespace floor_bench
