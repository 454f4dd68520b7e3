#include "util/cpu_affinity.hpp"

#include "util/thread_slice.hpp"

#include <algorithm>
#include <charconv>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

namespace agenttheo {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

std::optional<int> cpu_number(std::string_view text) {
  int cpu = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cpu);
  if (ec != std::errc{} || end != text.data() + text.size() || cpu < 0
      || cpu >= CPU_SETSIZE)
    return std::nullopt;
  return cpu;
}

} // namespace

std::optional<std::string>
parse_io_thread_cpus(std::string_view spec, io_thread_cpus& out) {
  spec = trimmed(spec);
  out = {};
  if (spec == "auto")
    return std::nullopt;
  out.automatic = false;
  if (spec.empty() || spec == "off")
    return std::nullopt;
  while (true) {
    auto comma = spec.find(',');
    auto item = trimmed(spec.substr(0, comma));
    auto cpu = cpu_number(item);
    if (!cpu)
      return "\"off\", \"auto\" or CPU numbers separated by commas (\""
             + std::string{item} + "\" is not a CPU number)";
    out.listed.push_back(*cpu);
    if (comma == std::string_view::npos)
      return std::nullopt;
    spec.remove_prefix(comma + 1);
  }
}

std::optional<std::string>
unavailable_io_thread_cpu(const io_thread_cpus& spec,
                          const std::vector<int>& allowed) {
  for (int cpu : spec.listed)
    if (std::find(allowed.begin(), allowed.end(), cpu) == allowed.end())
      return "CPU " + std::to_string(cpu)
             + " is not one this process may run on (" + cpu_list(allowed)
             + ")";
  return std::nullopt;
}

std::vector<int> plan_io_thread_cpus(const io_thread_cpus& spec,
                                     const std::vector<int>& allowed) {
  if (!spec.automatic)
    return spec.listed;
  // One CPU: nowhere else to be.
  return allowed.size() > 1 ? allowed : std::vector<int>{};
}

std::vector<int> cpus_this_thread_may_use() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set))
      cpus.push_back(cpu);
  return cpus;
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string text;
  for (int cpu : cpus)
    text += (text.empty() ? "" : ",") + std::to_string(cpu);
  return text;
}

bool pin_thread_to(pthread_t thread, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(thread, sizeof set, &set) == 0;
}

bool pin_this_thread_to(int cpu) {
  return pin_thread_to(pthread_self(), cpu);
}

process_cpus::process_cpus() {
  CPU_ZERO(&set_);
  if (sched_getaffinity(getpid(), sizeof set_, &set_) != 0)
    CPU_ZERO(&set_);
}

bool process_cpus::give_to(pthread_t thread) const {
  return CPU_COUNT(&set_) > 0
         && pthread_setaffinity_np(thread, sizeof set_, &set_) == 0;
}

bool process_cpus::give_to_this_thread() const {
  return CPU_COUNT(&set_) > 0 && sched_setaffinity(0, sizeof set_, &set_) == 0;
}

void name_and_reset_this_thread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  process_cpus{}.give_to_this_thread();
  give_this_thread_the_kernels_slice();
}

} // namespace agenttheo
