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
//   agenttheo-fanout-floor --port P [--threads T]
//
// GET (any path): an SSE stream, `Content-Type: text/event-stream`, the
// body unframed until the connection closes. POST (any path, a body with
// Content-Length): the body is one token's JSON, sent to every subscriber
// as `data: <body>\n\n`; answered 202 at once, so the publisher keeps its
// schedule.

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

using namespace floor_bench;

namespace {

void raise_open_files_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

} // namespace

int main(int argc, char** argv) {
  int port = 0;
  unsigned threads = 1;
  for (int k = 1; k + 1 < argc; k += 2) {
    std::string key = argv[k];
    if (key == "--port")
      port = std::atoi(argv[k + 1]);
    else if (key == "--threads")
      threads = static_cast<unsigned>(std::atoi(argv[k + 1]));
  }
  if (port <= 0 || threads == 0) {
    std::fprintf(stderr,
                 "usage: agenttheo-fanout-floor --port P [--threads T]\n");
    return 2;
  }
  raise_open_files_limit();
  token_log log;
  std::vector<std::unique_ptr<round_writer>> writers;
  std::vector<std::thread> running;
  for (unsigned k = 0; k < threads; ++k) {
    writers.push_back(std::make_unique<round_writer>(log));
    running.emplace_back([w = writers.back().get()] { w->run(); });
  }
  request_acceptor{port, log, writers}.run();
}
