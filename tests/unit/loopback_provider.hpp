#pragma once

// Model providers on 127.0.0.1 for the HTTP client's tests: plain sockets
// on a thread of their own, so what the client sends and reads is what a
// real server would see.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace agenttheo::test {

/// A listening socket on 127.0.0.1 with a free port.
inline int listen_on_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 16);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

/// A listening socket on 127.0.0.1 that `serve(listener)` accepts on, on
/// a thread of its own, until the server is destroyed (its listener shut
/// down, which ends the accept). Declared last in its owner, so the thread
/// is joined before what it uses goes.
class loopback_server {
public:
  template <class Serve>
  explicit loopback_server(Serve serve) {
    fd_ = listen_on_loopback(port_);
    thread_ = std::thread{[serve = std::move(serve), fd = fd_] { serve(fd); }};
  }

  ~loopback_server() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;

  /// `path` on this server.
  std::string url(const std::string& path = "/v1/chat/completions") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/// Reads one request from `peer` (its head and its `Content-Length` body)
/// into `request`; `pending` keeps what came after it. False when the
/// connection ended first.
inline bool read_request(int peer, std::string& pending, std::string& request) {
  char buf[4096];
  for (;;) {
    auto end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto at = pending.find("Content-Length: ");
      auto length = at < end ? std::stoul(pending.substr(at + 16)) : 0;
      if (pending.size() >= end + 4 + length) {
        request = pending.substr(0, end + 4 + length);
        pending.erase(0, request.size());
        return true;
      }
    }
    auto n = ::recv(peer, buf, sizeof buf, 0);
    if (n <= 0)
      return false;
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

/// A provider answering "hi" to every request: as many requests per
/// connection as come, or (`close_each`) one, closing after the answer
/// without saying so, as a kept connection goes stale.
class answering_provider {
public:
  explicit answering_provider(bool close_each) : close_each_(close_each) {}

  std::string url() const {
    return server_.url();
  }

  int accepted() const {
    return accepted_;
  }

  int answered() const {
    return answered_;
  }

private:
  void serve(int listener) {
    for (;;) {
      int peer = ::accept(listener, nullptr, nullptr);
      if (peer < 0)
        return;
      ++accepted_;
      std::string pending;
      std::string request;
      while (read_request(peer, pending, request)) {
        std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        // Counted first: the caller may read the count as soon as the
        // answer reaches it.
        ++answered_;
        ::send(peer, answer.data(), answer.size(), MSG_NOSIGNAL);
        if (close_each_)
          break;
      }
      ::close(peer);
    }
  }

  bool close_each_;
  std::atomic<int> accepted_{0};
  std::atomic<int> answered_{0};
  loopback_server server_{[this](int listener) { serve(listener); }};
};

} // namespace agenttheo::test
