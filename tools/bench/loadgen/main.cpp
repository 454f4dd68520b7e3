// agenttheo-loadgen: opens N SSE or WebSocket streams (or POSTs that answer
// with a stream), spread over several processes and loopback source
// addresses, checks every stream's token ordinals for duplicates and gaps,
// times each token from the CLOCK_MONOTONIC stamp it carries, and samples
// the server's RSS and CPU from /proc. See tools/bench/README.md.

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "http_poster.hpp"
#include "load_client.hpp"
#include "proc_sampler.hpp"

using namespace loadgen;

namespace {

struct options {
  client_options client;
  unsigned connections = 1;
  unsigned procs = 1;
  std::vector<int> server_pids;
  std::string release_url;   // POSTed once every stream is open
  std::string publish_url;   // tokens POSTed here once every stream is open
  double publish_rate = 100;
  std::int64_t publish_count = 0;
  std::string trace; // each process's timed tokens: <trace>.<k>
};

[[noreturn]] void usage() {
  std::fputs(
    "usage: agenttheo-loadgen --port P [--host 127.0.0.1] [--kind sse|ws|post]\n"
    "  [--path /stream?...{i}] [--body TEXT] [--connections N] [--procs P]\n"
    "  [--sources 16] [--connect-rate R] [--duration S] [--warmup-ms MS]\n"
    "  [--expect K] [--slow FRACTION] [--churn-rate R] [--churn-hold-ms MS]\n"
    "  [--server-pid PID]... [--release URL] [--trace PATH]\n"
    "  [--publish URL --publish-rate R --publish-count K]\n",
    stderr);
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  auto& c = o.client;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    if (i + 1 >= argc)
      usage();
    std::string v = argv[++i];
    if (key == "--host") c.host = v;
    else if (key == "--port") c.port = std::stoi(v);
    else if (key == "--kind")
      c.kind = v == "ws" ? request_kind::websocket
               : v == "post" ? request_kind::post : request_kind::sse;
    else if (key == "--path") c.path = v;
    else if (key == "--body") c.body = v;
    else if (key == "--connections") o.connections = static_cast<unsigned>(std::stoul(v));
    else if (key == "--procs") o.procs = static_cast<unsigned>(std::stoul(v));
    else if (key == "--sources") c.source_addresses = static_cast<unsigned>(std::stoul(v));
    else if (key == "--connect-rate") c.connect_rate = std::stod(v);
    else if (key == "--duration") c.duration_s = std::stod(v);
    else if (key == "--warmup-ms") c.warmup_ms = std::stod(v);
    else if (key == "--expect") c.expect = std::stoll(v);
    else if (key == "--slow") c.slow_fraction = std::stod(v);
    else if (key == "--churn-rate") c.churn_rate = std::stod(v);
    else if (key == "--churn-hold-ms") c.churn_hold_ms = std::stod(v);
    else if (key == "--trace") o.trace = v;
    else if (key == "--server-pid") o.server_pids.push_back(std::stoi(v));
    else if (key == "--release") o.release_url = v;
    else if (key == "--publish") o.publish_url = v;
    else if (key == "--publish-rate") o.publish_rate = std::stod(v);
    else if (key == "--publish-count") o.publish_count = std::stoll(v);
    else usage();
  }
  if (o.procs == 0 || o.connections < o.procs)
    o.procs = 1;
  return o;
}

/// Each process may hold as many sockets as the hard limit allows.
void raise_open_files_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

void write_line(int fd, const std::string& line) {
  for (std::size_t at = 0; at < line.size();) {
    auto n = ::write(fd, line.data() + at, line.size() - at);
    if (n <= 0)
      return;
    at += static_cast<std::size_t>(n);
  }
}

void report_ready(void* fd) {
  write_line(*static_cast<int*>(fd), "ready\n");
}

struct child {
  pid_t pid = 0;
  int fd = -1;
  std::string input;
  bool ready = false;
  bool done = false;
  client_result result;
};

child spawn_child(const options& o, unsigned k) {
  int fds[2];
  if (pipe(fds) != 0)
    std::exit(1);
  child ch;
  ch.pid = fork();
  if (ch.pid == 0) {
    ::close(fds[0]);
    auto share = o.client;
    share.first = o.connections * k / o.procs;
    share.count = o.connections * (k + 1) / o.procs - share.first;
    share.connect_rate /= o.procs;
    share.churn_rate /= o.procs;
    if (!o.trace.empty())
      share.trace_path = o.trace + "." + std::to_string(k);
    int out = fds[1];
    auto result = run_clients(share, report_ready, &out);
    write_line(out, result.serialize());
    std::_Exit(0);
  }
  ::close(fds[1]);
  ch.fd = fds[0];
  return ch;
}

/// Reads what a child wrote: "ready", then its result (or EOF: done).
void read_child(child& ch) {
  char buffer[65536];
  auto n = ::read(ch.fd, buffer, sizeof buffer);
  if (n <= 0) {
    ch.done = true;
    return;
  }
  ch.input.append(buffer, static_cast<std::size_t>(n));
  for (auto eol = ch.input.find('\n'); eol != std::string::npos;
       eol = ch.input.find('\n')) {
    auto line = ch.input.substr(0, eol);
    ch.input.erase(0, eol + 1);
    if (line == "ready")
      ch.ready = true;
    else {
      ch.result = client_result::deserialize(line);
      ch.done = true;
    }
  }
}

/// Publishes `count` stamped tokens at `rate` per second (pub/sub peers).
void publish(const options& o, const std::atomic<bool>& stop) {
  http_poster poster{o.publish_url};
  auto start = monotonic_ns();
  for (std::int64_t k = 1; k <= o.publish_count && !stop; ++k) {
    auto due = start + static_cast<std::uint64_t>((k - 1) * 1e9 / o.publish_rate);
    auto now = monotonic_ns();
    if (due > now)
      std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
    auto body = "{\"token\":\"t" + std::to_string(monotonic_ns())
                + ";\",\"metadata\":{\"count\":" + std::to_string(k) + "}}";
    if (poster.post(body) / 100 != 2)
      std::fprintf(stderr, "loadgen: publish %lld failed\n",
                   static_cast<long long>(k));
  }
}

double ms(std::uint64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  raise_open_files_limit();
  proc_sampler sampler{o.server_pids};
  auto base = sampler.sample();
  auto peak_rss = base.rss_kib;

  std::vector<child> children;
  for (unsigned k = 0; k < o.procs; ++k)
    children.push_back(spawn_child(o, k));
  // The clients' own CPU: on a machine the server shares, what the load
  // itself takes from it.
  std::vector<int> client_pids{static_cast<int>(::getpid())};
  for (auto& ch : children)
    client_pids.push_back(ch.pid);
  proc_sampler clients{client_pids};
  proc_sample clients_at_ready;

  bool all_ready = false;
  proc_sample at_ready;
  std::uint64_t ready_ns = 0;
  std::atomic<bool> stop_publishing{false};
  std::thread publisher;
  for (;;) {
    std::vector<pollfd> fds;
    for (auto& ch : children)
      if (!ch.done)
        fds.push_back({ch.fd, POLLIN, 0});
    if (fds.empty())
      break;
    ::poll(fds.data(), fds.size(), 100);
    for (auto& ch : children)
      for (auto& p : fds)
        if (p.fd == ch.fd && (p.revents & (POLLIN | POLLHUP)))
          read_child(ch);
    auto s = sampler.sample();
    peak_rss = std::max(peak_rss, s.rss_kib);
    if (!all_ready) {
      all_ready = true;
      for (auto& ch : children)
        all_ready = all_ready && (ch.ready || ch.done);
      if (all_ready) {
        at_ready = s;
        clients_at_ready = clients.sample();
        ready_ns = monotonic_ns();
        if (!o.release_url.empty() && http_poster{o.release_url}.post("{}") / 100 != 2)
          std::fprintf(stderr, "loadgen: release failed\n");
        if (!o.publish_url.empty())
          publisher = std::thread([&] { publish(o, stop_publishing); });
      }
    }
  }
  auto end = sampler.sample();
  auto clients_end = clients.sample();
  auto end_ns = monotonic_ns();
  stop_publishing = true;
  if (publisher.joinable())
    publisher.join();
  client_result total;
  for (auto& ch : children) {
    ::close(ch.fd);
    waitpid(ch.pid, nullptr, 0);
    total.merge(ch.result);
  }

  double connect_s = (total.connect_last_ns - total.connect_first_ns) / 1e9;
  double timed_s = (total.timed_last_ns - total.timed_first_ns) / 1e9;
  double wall_s = (end_ns - ready_ns) / 1e9;
  double cpu_s = end.cpu_s - at_ready.cpu_s;
  auto& h = total.latency;
  // Goodput: the timed deliveries that arrived within 100 ms of their
  // publication, per second (what a viewer sees as live).
  constexpr std::uint64_t on_time_us = 100'000;
  std::printf(
    "{\"connections\":%u,\"opened\":%llu,\"connected\":%llu,\"failed\":%llu,"
    "\"connect_rate\":%.0f,\"deliveries\":%llu,\"timed\":%llu,"
    "\"deliveries_per_s\":%.0f,\"duplicates\":%llu,\"gaps\":%llu,"
    "\"ended\":%llu,\"slow\":%llu,\"slow_dropped\":%llu,\"churned\":%llu,"
    "\"goodput_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
    "\"rss_base_kib\":%llu,\"rss_ready_kib\":%llu,\"rss_peak_kib\":%llu,"
    "\"rss_end_kib\":%llu,\"server_cpu_s\":%.3f,\"client_cpu_s\":%.3f,"
    "\"wall_s\":%.3f}\n",
    o.connections, (unsigned long long)total.opened,
    (unsigned long long)total.connected, (unsigned long long)total.failed,
    connect_s > 0 ? total.connected / connect_s : 0.0,
    (unsigned long long)total.deliveries, (unsigned long long)total.timed,
    timed_s > 0 ? total.timed / timed_s : 0.0,
    (unsigned long long)total.duplicates, (unsigned long long)total.gaps,
    (unsigned long long)total.ended, (unsigned long long)total.slow,
    (unsigned long long)total.slow_dropped, (unsigned long long)total.churned,
    timed_s > 0 ? h.count_within(on_time_us) / timed_s : 0.0, ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
    ms(h.quantile(1.0)), (unsigned long long)base.rss_kib,
    (unsigned long long)at_ready.rss_kib, (unsigned long long)peak_rss,
    (unsigned long long)end.rss_kib, cpu_s,
    clients_end.cpu_s - clients_at_ready.cpu_s, wall_s);
  return total.failed == 0 && total.duplicates == 0 ? 0 : 1;
}
