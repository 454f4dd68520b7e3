#include "util/cpu_busy.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace agenttheo {

namespace {

/// The next number of `line` after `at`, skipping spaces.
bool next_number(std::string_view line, std::size_t& at, long long& out) {
  while (at < line.size() && line[at] == ' ')
    ++at;
  auto [end, ec]
    = std::from_chars(line.data() + at, line.data() + line.size(), out);
  if (ec != std::errc{})
    return false;
  at = static_cast<std::size_t>(end - line.data());
  return true;
}

} // namespace

std::map<int, double>
parse_cpu_busy(std::string_view proc_stat, double ticks_per_second) {
  std::map<int, double> busy;
  while (!proc_stat.empty()) {
    auto eol = proc_stat.find('\n');
    auto line = proc_stat.substr(0, eol);
    proc_stat.remove_prefix(eol == std::string_view::npos ? proc_stat.size()
                                                          : eol + 1);
    // "cpuN user nice system idle iowait irq softirq steal ..."; the
    // summed "cpu " line has no number.
    if (line.size() < 4 || line.substr(0, 3) != "cpu" || line[3] == ' ')
      continue;
    std::size_t at = 3;
    long long cpu = 0;
    std::array<long long, 7> times{};
    if (!next_number(line, at, cpu))
      continue;
    bool whole = true;
    for (auto& t : times)
      whole = whole && next_number(line, at, t);
    if (!whole)
      continue;
    auto [user, nice, system, idle, iowait, irq, softirq] = times;
    (void)idle;
    (void)iowait;
    busy[static_cast<int>(cpu)]
      = static_cast<double>(user + nice + system + irq + softirq)
        / ticks_per_second;
  }
  return busy;
}

std::map<int, double> cpu_busy_seconds() {
  std::ifstream file{"/proc/stat"};
  if (!file)
    return {};
  std::ostringstream text;
  text << file.rdbuf();
  auto ticks = sysconf(_SC_CLK_TCK);
  return parse_cpu_busy(text.str(),
                        ticks > 0 ? static_cast<double>(ticks) : 100.0);
}

} // namespace agenttheo
