#pragma once

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "epoll_loop.hpp"

namespace floor_bench {

/// The floor of a run relayed from a model to its one subscriber: each
/// subscriber gets an upstream request of its own (the benchmark's
/// OpenAI-compatible upstream), and every `"content":"t<ns>;"` the upstream
/// streams is sent on as a token event with its ordinal, in one send() per
/// upstream read. No session, no log, no store: what is left of a run's
/// added latency here is the machine's.
class token_relay {
public:
  explicit token_relay(sockaddr_in upstream) : upstream_{upstream} {}

  /// From the acceptor: a subscriber whose head is already written.
  void adopt(int client) {
    loop_.adopt(client);
  }

  [[noreturn]] void run() {
    loop_.run(
      [this](int fd) {
        auto at = runs_.find(fd);
        if (at == runs_.end())
          return;
        auto run = at->second;
        if (fd == run->upstream)
          read_upstream(*run);
        else
          flush(*run);
      },
      [this](const std::vector<int>& adopted) {
        for (int client : adopted)
          start(client);
      });
  }

private:
  struct relayed_run {
    int client;
    int upstream = -1;
    std::string in;  // upstream bytes not yet scanned to the end
    std::string out; // what the client's socket did not take yet
    std::int64_t count = 0;
    bool upstream_ended = false;
    bool waiting_writable = false;
  };

  /// Asks the upstream for the subscriber's completion.
  void start(int client) {
    auto run = std::make_shared<relayed_run>();
    run->client = client;
    run->upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Loopback: the connect and the small request complete at once.
    if (::connect(run->upstream, reinterpret_cast<const sockaddr*>(&upstream_),
                  sizeof upstream_)
        != 0) {
      ::close(run->upstream);
      ::close(client);
      return;
    }
    constexpr std::string_view body
      = R"({"model":"m","stream":true,"messages":[]})";
    auto request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\nConnection: close\r\n"
                   "Content-Length: "
                   + std::to_string(body.size()) + "\r\n\r\n"
                   + std::string{body};
    [[maybe_unused]] auto w
      = ::send(run->upstream, request.data(), request.size(), MSG_NOSIGNAL);
    runs_[run->upstream] = run;
    runs_[client] = run;
    loop_.watch(run->upstream, EPOLLIN);
  }

  void read_upstream(relayed_run& run) {
    char chunk[16384];
    for (;;) {
      auto n = ::recv(run.upstream, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        run.in.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || errno != EAGAIN)
        run.upstream_ended = true;
      break;
    }
    scan(run);
    flush(run);
  }

  /// Every whole `"content":"t<digits>;"` in `in` becomes a token event.
  void scan(relayed_run& run) {
    constexpr std::string_view key = R"("content":"t)";
    std::size_t done = 0;
    for (;;) {
      auto at = run.in.find(key, done);
      if (at == std::string::npos) {
        // Keep only what may be the start of a key split by the read.
        if (run.in.size() > done + key.size())
          done = run.in.size() - key.size();
        break;
      }
      auto stamp = at + key.size() - 1; // the `t`
      auto end = run.in.find(";\"", stamp);
      if (end == std::string::npos) {
        done = at; // the rest of this token comes with the next read
        break;
      }
      run.out.append(R"(data: {"token":")")
        .append(run.in, stamp, end + 1 - stamp)
        .append(R"(","count":)")
        .append(std::to_string(++run.count))
        .append("}\n\n");
      done = end + 2;
    }
    run.in.erase(0, done);
  }

  void flush(relayed_run& run) {
    if (!run.out.empty()) {
      auto sent = ::send(run.client, run.out.data(), run.out.size(),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && errno != EAGAIN)
        return end(run);
      if (sent > 0)
        run.out.erase(0, static_cast<std::size_t>(sent));
    }
    if (!run.out.empty() && !run.waiting_writable) {
      run.waiting_writable = true;
      loop_.watch(run.client, EPOLLOUT);
    } else if (run.out.empty() && run.waiting_writable) {
      run.waiting_writable = false;
      loop_.forget(run.client);
    }
    if (run.out.empty() && run.upstream_ended)
      end(run);
  }

  void end(relayed_run& run) {
    auto keep = runs_[run.client]; // `run` lives until both entries go
    for (int fd : {run.client, run.upstream}) {
      loop_.forget(fd);
      runs_.erase(fd);
      ::close(fd);
    }
  }

  sockaddr_in upstream_;
  epoll_loop loop_;
  std::unordered_map<int, std::shared_ptr<relayed_run>> runs_;
};

} // namespace floor_bench
