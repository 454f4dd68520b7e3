// agenttheo-store-bench: how many events a second one store writes.
//
//   build/agenttheo-store-bench [--events N] [--batch B] [--sessions S]
//                               [--bytes PAYLOAD] [--sync normal|full]
//
// Writes N token-sized events spread over S sessions into a fresh
// database, B per transaction (one flush's worth), through the same
// session_store the server's writer uses, and prints events/s and MB/s.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "store/session_store.hpp"

using namespace agenttheo;

namespace {

struct options {
  std::size_t events = 200'000;
  std::size_t batch = 1'000;
  std::size_t sessions = 100;
  std::size_t bytes = 60;
  bool full_sync = false;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--events")
      o.events = std::stoul(value);
    else if (flag == "--batch")
      o.batch = std::stoul(value);
    else if (flag == "--sessions")
      o.sessions = std::stoul(value);
    else if (flag == "--bytes")
      o.bytes = std::stoul(value);
    else if (flag == "--sync")
      o.full_sync = value == "full";
  }
  return o;
}

std::string session_name(std::size_t i) {
  return "s-" + std::to_string(i);
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  char dir[] = "/tmp/agenttheo-store-bench-XXXXXX";
  if (!mkdtemp(dir))
    return 1;
  auto path = std::string{dir} + "/bench.db";
  double seconds = 0;
  std::size_t payload_bytes = 0;
  {
    auto store = session_store::open({path, o.full_sync});
    std::vector<store_write> setup;
    for (std::size_t s = 0; s < o.sessions; ++s)
      setup.push_back(session_row{session_name(s), "bench", "", 0, 0, 1, 0});
    store->write(setup);
    std::string data = "{\"token\":\"" + std::string(o.bytes, 'x') + "\"}";
    std::vector<std::uint64_t> next_id(o.sessions, 1);
    auto start = std::chrono::steady_clock::now();
    for (std::size_t written = 0; written < o.events;) {
      std::vector<store_write> batch;
      for (std::size_t i = 0; i < o.batch && written < o.events; ++i, ++written) {
        auto s = written % o.sessions;
        batch.push_back(event_row{encode(event{next_id[s]++, event_type::token,
                                               session_name(s), "m", data, false})});
        payload_bytes += data.size();
      }
      store->write(batch);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                .count();
  }
  std::filesystem::remove_all(dir);
  std::printf("%zu events in %zu-event transactions (%s sync): %.0f events/s, "
              "%.1f MB/s of event data\n",
              o.events, o.batch, o.full_sync ? "full" : "normal",
              static_cast<double>(o.events) / seconds,
              static_cast<double>(payload_bytes) / seconds / 1e6);
  return 0;
}
