// The fan-out floor: the least a server can do to fan published tokens out
// to SSE subscribers on this machine, as a peer for compare.py's fan-out
// rows. No actors, no HTTP library, no JSON: a subscriber is a file
// descriptor and a pending byte string; a published token is appended to
// a shared log as it arrives and every writer thread writes all of the
// log it has not yet written to each of its subscribers, in one send()
// each. While a round is being written new tokens accumulate, so rounds
// become fewer and fuller on their own. Whatever latency or goodput this
// reaches with the same load generator on the same cores is what no server
// can beat here.
//
//   agenttheo-fanout-floor --port P [--threads T] [--relay UPSTREAM_PORT]
//
// GET (any path): an SSE stream, `Content-Type: text/event-stream`, the
// body unframed until the connection closes. POST (any path, a body with
// Content-Length): the body is one token's JSON, sent to every subscriber
// as `data: <body>\n\n`; answered 202 at once, so the publisher keeps its
// schedule. With `--relay`, the floor of many sessions instead: each GET
// is relayed from a completion of its own on the benchmark's upstream at
// 127.0.0.1:UPSTREAM_PORT (`token_relay.hpp`).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "request_acceptor.hpp"
#include "round_writer.hpp"
#include "token_log.hpp"
#include "token_relay.hpp"

using namespace floor_bench;

namespace {

struct options {
  int port = 0;
  unsigned threads = 1;
  int relay_port = 0; // 0: fan published tokens out
};

options parse(int argc, char** argv) {
  options o;
  for (int k = 1; k + 1 < argc; k += 2) {
    std::string key = argv[k];
    if (key == "--port")
      o.port = std::atoi(argv[k + 1]);
    else if (key == "--threads")
      o.threads = static_cast<unsigned>(std::atoi(argv[k + 1]));
    else if (key == "--relay")
      o.relay_port = std::atoi(argv[k + 1]);
  }
  if (o.port <= 0 || o.threads == 0) {
    std::fprintf(stderr, "usage: agenttheo-fanout-floor --port P [--threads T] "
                         "[--relay UPSTREAM_PORT]\n");
    std::exit(2);
  }
  return o;
}

void raise_open_files_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

/// `count` workers made of `args`, each running on a thread of its own
/// until the process is killed.
template <class T, class... Args>
std::vector<std::unique_ptr<T>> start_workers(unsigned count, Args&... args) {
  std::vector<std::unique_ptr<T>> workers;
  for (unsigned k = 0; k < count; ++k) {
    workers.push_back(std::make_unique<T>(args...));
    std::thread{[w = workers.back().get()] { w->run(); }}.detach();
  }
  return workers;
}

/// Hands each new subscriber to the next of `workers`, in turn.
template <class T>
request_acceptor::subscribe_handler
deal_to(std::vector<std::unique_ptr<T>>& workers) {
  return [&workers, next = std::size_t{0}](int fd) mutable {
    workers[next++ % workers.size()]->adopt(fd);
  };
}

void fan_out(const options& o) {
  token_log log;
  auto writers = start_workers<round_writer>(o.threads, log);
  request_acceptor{o.port, deal_to(writers),
                   [&](std::string_view body) {
                     log.append(body);
                     for (auto& w : writers)
                       w->wake();
                   }}
    .run();
}

void relay(const options& o) {
  sockaddr_in upstream{};
  upstream.sin_family = AF_INET;
  upstream.sin_port = htons(static_cast<std::uint16_t>(o.relay_port));
  upstream.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto relays = start_workers<token_relay>(o.threads, upstream);
  request_acceptor{o.port, deal_to(relays), [](std::string_view) {}}.run();
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  raise_open_files_limit();
  if (o.relay_port > 0)
    relay(o);
  else
    fan_out(o);
}
