#include "load_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "stream_reader.hpp"
#include "token_stamps.hpp"
#include "token_trace.hpp"

namespace loadgen {

std::uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u
         + static_cast<std::uint64_t>(ts.tv_nsec);
}

namespace {

std::string substitute(std::string text, unsigned index) {
  for (auto at = text.find("{i}"); at != std::string::npos;
       at = text.find("{i}", at))
    text.replace(at, 3, std::to_string(index));
  return text;
}

/// A client-to-server WebSocket text frame (clients must mask).
std::string masked_text_frame(const std::string& text) {
  std::string frame;
  frame += static_cast<char>(0x81);
  if (text.size() < 126) {
    frame += static_cast<char>(0x80 | text.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((text.size() >> 8) & 0xff);
    frame += static_cast<char>(text.size() & 0xff);
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < text.size(); ++i)
    frame += static_cast<char>(text[i] ^ mask[i % 4]);
  return frame;
}

std::string request_for(const client_options& o, unsigned index) {
  auto path = substitute(o.path, index);
  std::string host = o.host + ":" + std::to_string(o.port);
  switch (o.kind) {
    case request_kind::sse:
      return "GET " + path + " HTTP/1.1\r\nHost: " + host
             + "\r\nAccept: text/event-stream\r\n\r\n";
    case request_kind::websocket:
      return "GET " + path + " HTTP/1.1\r\nHost: " + host
             + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n";
    case request_kind::post: {
      auto body = substitute(o.body, index);
      return "POST " + path + " HTTP/1.1\r\nHost: " + host
             + "\r\nContent-Type: application/json\r\nContent-Length: "
             + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
  }
  return {};
}

/// What every stream of one process adds to, and from when tokens are timed
/// (set once, when all are connected).
struct tally {
  client_result result;
  std::uint64_t timed_from_ns = ~std::uint64_t{0};
  std::unique_ptr<token_trace> trace; // --trace
};

/// One client stream: its socket, its decoder, and the ordinal it expects.
struct connection : payload_sink {
  int fd = -1;
  unsigned index = 0;
  bool connecting = true;
  bool counted_head = false;
  bool slow = false;
  bool open = false;
  std::uint64_t opened_ns = 0;
  std::int64_t last_count = 0;
  stream_reader reader{stream_reader::framing::sse};
  tally* totals = nullptr;
  std::uint64_t now_ns = 0;

  void on_payload(std::string_view payload) override {
    for_each_stamp(payload, [this](const token_stamp& s) { on_token(s); });
  }

  void on_token(const token_stamp& s) {
    auto& r = totals->result;
    ++r.deliveries;
    if (s.count >= 0) {
      if (s.count <= last_count)
        ++r.duplicates;
      else
        r.gaps += static_cast<std::uint64_t>(s.count - last_count - 1);
      if (s.count > last_count)
        last_count = s.count;
    }
    if (s.sent_ns < totals->timed_from_ns)
      return;
    ++r.timed;
    if (r.timed_first_ns == 0)
      r.timed_first_ns = now_ns;
    r.timed_last_ns = now_ns;
    r.latency.record(now_ns > s.sent_ns ? (now_ns - s.sent_ns) / 1000 : 0);
    if (totals->trace)
      totals->trace->record(s.sent_ns, now_ns, index, s.count);
  }
};

class client_loop {
public:
  client_loop(const client_options& o, void (*on_ready)(void*), void* arg)
    : o_(o), on_ready_(on_ready), ready_arg_(arg), epoll_(epoll_create1(0)) {
    conns_.resize(o.count);
    if (!o.trace_path.empty())
      tally_.trace = std::make_unique<token_trace>(o.trace_path);
  }

  ~client_loop() {
    for (auto& c : conns_)
      if (c.fd >= 0)
        ::close(c.fd);
    ::close(epoll_);
  }

  client_result run() {
    auto start = monotonic_ns();
    if (o_.churn_rate > 0)
      return run_churn(start);
    unsigned next = 0;
    std::uint64_t ready_at = 0;
    std::uint64_t next_check = 0;
    std::vector<epoll_event> events(1024);
    for (;;) {
      auto now = monotonic_ns();
      // Open connections at the configured pace.
      auto due = static_cast<unsigned>(
        std::min<double>(o_.count, (now - start) / 1e9 * o_.connect_rate + 1));
      while (next < due)
        open(conns_[next], next), ++next;
      if (!ready_at && next == o_.count && heads_ == o_.count) {
        ready_at = monotonic_ns();
        tally_.timed_from_ns = ready_at + static_cast<std::uint64_t>(o_.warmup_ms * 1e6);
        if (on_ready_)
          on_ready_(ready_arg_);
      }
      // Connections that neither answer nor fail must not hang the run.
      if (!ready_at && now > start + (o_.count / o_.connect_rate + o_.duration_s + 30) * 1e9)
        break;
      if (ready_at) {
        if (open_ == 0 || now > ready_at + o_.duration_s * 1e9)
          break;
        if (o_.expect > 0 && now >= next_check) {
          if (all_fast_done())
            break;
          next_check = now + 50'000'000;
        }
      }
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 5);
      for (int i = 0; i < n; ++i)
        handle(conns_[events[i].data.u32], events[i].events);
    }
    finish();
    return result_;
  }

private:
  /// Every stream that reads has all the tokens it expects, or has ended.
  bool all_fast_done() const {
    for (auto& c : conns_)
      if (c.open && !c.slow && c.last_count < o_.expect)
        return false;
    return true;
  }

  /// Open/close cycles at `churn_rate` for `duration_s`.
  client_result run_churn(std::uint64_t start) {
    std::vector<epoll_event> events(1024);
    std::uint64_t started = 0;
    if (on_ready_)
      on_ready_(ready_arg_);
    auto hold = static_cast<std::uint64_t>(o_.churn_hold_ms * 1e6);
    for (;;) {
      auto now = monotonic_ns();
      double elapsed = (now - start) / 1e9;
      if (elapsed < o_.duration_s) {
        auto due = static_cast<std::uint64_t>(elapsed * o_.churn_rate) + 1;
        while (started < due) {
          auto slot = free_slot();
          if (slot < 0)
            break;
          open(conns_[static_cast<unsigned>(slot)], static_cast<unsigned>(started));
          ++started;
        }
      } else if (open_ == 0) {
        break;
      } else if (elapsed > o_.duration_s + 10) {
        break;
      }
      for (auto& c : conns_)
        if (c.open && c.counted_head && now - c.opened_ns >= hold) {
          close_conn(c, false);
          ++result_.churned;
        }
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 1);
      for (int i = 0; i < n; ++i)
        handle(conns_[events[i].data.u32], events[i].events);
    }
    finish();
    return result_;
  }

  int free_slot() {
    for (unsigned k = 0; k < conns_.size(); ++k) {
      auto slot = (cursor_ + k) % conns_.size();
      if (!conns_[slot].open) {
        cursor_ = slot + 1;
        return static_cast<int>(slot);
      }
    }
    return -1;
  }

  void open(connection& c, unsigned local) {
    auto slot = static_cast<std::uint32_t>(&c - conns_.data());
    c = connection{};
    c.index = o_.first + local;
    c.totals = &tally_;
    c.reader = stream_reader{o_.kind == request_kind::websocket
                               ? stream_reader::framing::websocket
                               : stream_reader::framing::sse};
    c.slow = o_.slow_fraction > 0
             && std::fmod(c.index * o_.slow_fraction, 1.0) + o_.slow_fraction >= 1.0;
    c.opened_ns = monotonic_ns();
    ++result_.opened;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002u + c.index % o_.source_addresses);
    ::bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    inet_pton(AF_INET, o_.host.c_str(), &dst.sin_addr);
    c.open = true;
    ++open_;
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0
        && errno != EINPROGRESS) {
      return fail(c);
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = slot;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
  }

  void handle(connection& c, std::uint32_t events) {
    if (!c.open)
      return;
    if (c.connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (events & (EPOLLERR | EPOLLHUP)))
        return fail(c);
      c.connecting = false;
      auto request = request_for(o_, c.index);
      if (!send_all(c, request))
        return fail(c);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u32 = static_cast<std::uint32_t>(&c - conns_.data());
      epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
      return;
    }
    read_from(c);
  }

  bool send_all(connection& c, const std::string& bytes) {
    // Requests are small: a fresh socket's buffer takes them whole.
    return ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL)
           == static_cast<ssize_t>(bytes.size());
  }

  void read_from(connection& c) {
    char buffer[64 * 1024];
    for (;;) {
      auto n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        c.now_ns = monotonic_ns();
        if (!c.reader.feed(buffer, static_cast<std::size_t>(n), c))
          return fail(c);
        if (!c.counted_head && c.reader.head_done() && !on_head(c))
          return;
        if (c.slow && c.counted_head)
          return; // stops reading
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      if (!c.counted_head)
        return fail(c);
      return close_conn(c, true);
    }
  }

  bool on_head(connection& c) {
    auto status = c.reader.status();
    bool ok = o_.kind == request_kind::websocket ? status == 101 : status == 200;
    if (!ok) {
      fail(c);
      return false;
    }
    c.counted_head = true;
    ++result_.connected;
    ++heads_;
    auto now = monotonic_ns();
    if (result_.connect_first_ns == 0)
      result_.connect_first_ns = now;
    result_.connect_last_ns = now;
    if (o_.kind == request_kind::websocket
        && !send_all(c, masked_text_frame(substitute(o_.body, c.index)))) {
      fail(c);
      return false;
    }
    if (c.slow) {
      ++result_.slow;
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    }
    return true;
  }

  void fail(connection& c) {
    ++result_.failed;
    if (!c.counted_head)
      ++heads_; // counts toward "everyone has an answer"
    c.counted_head = true;
    close_conn(c, false);
  }

  void close_conn(connection& c, bool by_server) {
    if (!c.open)
      return;
    if (by_server) {
      ++result_.ended;
      if (o_.expect > 0 && c.last_count < o_.expect)
        result_.gaps += static_cast<std::uint64_t>(o_.expect - c.last_count);
    }
    ::close(c.fd);
    c.fd = -1;
    c.open = false;
    --open_;
  }

  /// Streams still open at the end: slow ones are probed for a cut, fast
  /// ones owe their missing tail.
  void finish() {
    for (auto& c : conns_) {
      if (!c.open)
        continue;
      if (c.slow && server_cut(c))
        ++result_.slow_dropped;
      else if (!c.slow && o_.expect > 0 && c.last_count < o_.expect)
        result_.gaps += static_cast<std::uint64_t>(o_.expect - c.last_count);
      ::close(c.fd);
      c.fd = -1;
      c.open = false;
    }
    open_ = 0;
  }

  /// Drains a socket that stopped reading: did the server close it?
  static bool server_cut(connection& c) {
    char buffer[64 * 1024];
    for (;;) {
      auto n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0)
        continue;
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }

  const client_options& o_;
  void (*on_ready_)(void*);
  void* ready_arg_;
  int epoll_;
  std::vector<connection> conns_;
  tally tally_;
  client_result& result_ = tally_.result;
  unsigned heads_ = 0;
  unsigned open_ = 0;
  unsigned cursor_ = 0;
};

} // namespace

client_result run_clients(const client_options& options,
                          void (*on_ready)(void*), void* ready_arg) {
  client_loop loop{options, on_ready, ready_arg};
  return loop.run();
}

void client_result::merge(const client_result& o) {
  opened += o.opened;
  connected += o.connected;
  failed += o.failed;
  deliveries += o.deliveries;
  timed += o.timed;
  duplicates += o.duplicates;
  gaps += o.gaps;
  ended += o.ended;
  slow += o.slow;
  slow_dropped += o.slow_dropped;
  churned += o.churned;
  auto min_nonzero = [](std::uint64_t a, std::uint64_t b) {
    return a == 0 ? b : b == 0 ? a : std::min(a, b);
  };
  connect_first_ns = min_nonzero(connect_first_ns, o.connect_first_ns);
  connect_last_ns = std::max(connect_last_ns, o.connect_last_ns);
  timed_first_ns = min_nonzero(timed_first_ns, o.timed_first_ns);
  timed_last_ns = std::max(timed_last_ns, o.timed_last_ns);
  latency.merge(o.latency);
}

std::string client_result::serialize() const {
  std::ostringstream out;
  out << opened << ' ' << connected << ' ' << failed << ' ' << deliveries << ' '
      << timed << ' ' << duplicates << ' ' << gaps << ' ' << ended << ' '
      << slow << ' ' << slow_dropped << ' ' << churned << ' '
      << connect_first_ns << ' ' << connect_last_ns << ' ' << timed_first_ns
      << ' ' << timed_last_ns << ' ' << latency.serialize() << '\n';
  return out.str();
}

client_result client_result::deserialize(const std::string& line) {
  client_result r;
  std::istringstream in{line};
  std::string buckets;
  in >> r.opened >> r.connected >> r.failed >> r.deliveries >> r.timed
    >> r.duplicates >> r.gaps >> r.ended >> r.slow >> r.slow_dropped
    >> r.churned >> r.connect_first_ns >> r.connect_last_ns >> r.timed_first_ns
    >> r.timed_last_ns >> buckets;
  r.latency.deserialize(buckets);
  return r;
}

} // namespace loadgen
