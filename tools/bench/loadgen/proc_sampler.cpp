#include "proc_sampler.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace loadgen {

namespace {

double cpu_seconds(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  std::getline(in, line);
  // The command name may hold spaces; the fields after it may not.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream fields{line.substr(close + 2)};
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime)
         / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::uint64_t rss_kib(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

} // namespace

proc_sample proc_sampler::sample() const {
  proc_sample s;
  for (auto pid : pids_) {
    s.rss_kib += rss_kib(pid);
    s.cpu_s += cpu_seconds(pid);
  }
  return s;
}

} // namespace loadgen
