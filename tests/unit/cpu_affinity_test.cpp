#define CAF_SUITE cpu_affinity

#include "util/cpu_affinity.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

io_thread_cpus parsed(std::string_view spec) {
  io_thread_cpus out;
  auto wrong = parse_io_thread_cpus(spec, out);
  CAF_REQUIRE(!wrong);
  return out;
}

const std::vector<int> two_cpus{0, 1};

} // namespace

CAF_TEST(off and an empty setting pin nothing) {
  for (auto spec : {"", "off", " off "})
    CAF_CHECK(plan_io_thread_cpus(parsed(spec), two_cpus).empty());
}

CAF_TEST(auto is the default) {
  CAF_CHECK(agenttheo::io_thread_cpus{}.automatic);
  CAF_CHECK(!parsed("off").automatic);
  CAF_CHECK(!parsed("0,1").automatic);
}

CAF_TEST(auto pins nothing on a process that may use one CPU) {
  CAF_CHECK(plan_io_thread_cpus(parsed("auto"), {3}).empty());
  CAF_CHECK_EQUAL(plan_io_thread_cpus(parsed("3"), {3}), (std::vector<int>{3}));
}

CAF_TEST(auto gives the threads the process CPUs in order) {
  auto spec = parsed("auto");
  CAF_CHECK(spec.automatic);
  CAF_CHECK_EQUAL(plan_io_thread_cpus(spec, two_cpus),
                  (std::vector<int>{0, 1}));
  CAF_CHECK_EQUAL(plan_io_thread_cpus(spec, {2, 5}), (std::vector<int>{2, 5}));
}

CAF_TEST(listed CPUs go to the threads in the order written) {
  auto spec = parsed("1, 0");
  CAF_CHECK_EQUAL(spec.listed, (std::vector<int>{1, 0}));
  CAF_CHECK_EQUAL(plan_io_thread_cpus(spec, two_cpus),
                  (std::vector<int>{1, 0}));
  CAF_CHECK_EQUAL(plan_io_thread_cpus(parsed("1"), two_cpus),
                  (std::vector<int>{1}));
}

CAF_TEST(a list of CPUs reads as it is written) {
  CAF_CHECK_EQUAL(cpu_list(parsed(" 3, 1 ,2").listed), "3,1,2");
  CAF_CHECK_EQUAL(cpu_list({}), "");
}

CAF_TEST(a setting that names no CPU is refused with what it should be) {
  for (auto bad :
       {"abc", "1,", ",1", "1;2", "-1", "1.5", "99999", "auto,1", "0x1"}) {
    io_thread_cpus out;
    auto wrong = parse_io_thread_cpus(bad, out);
    CAF_CHECK(wrong.has_value());
    if (wrong)
      CAF_CHECK(wrong->find("\"off\", \"auto\" or CPU numbers")
                != std::string::npos);
  }
}

CAF_TEST(a listed CPU the process may not use is named) {
  CAF_CHECK(!unavailable_io_thread_cpu(parsed("1,0"), two_cpus));
  CAF_CHECK(!unavailable_io_thread_cpu(parsed("auto"), two_cpus));
  auto wrong = unavailable_io_thread_cpu(parsed("0,7"), two_cpus);
  CAF_REQUIRE(wrong.has_value());
  CAF_CHECK_EQUAL(*wrong, "CPU 7 is not one this process may run on (0,1)");
}

CAF_TEST(a pinned thread may use its CPU only and the others keep theirs) {
  auto cpus = cpus_this_thread_may_use();
  CAF_REQUIRE(!cpus.empty());
  CAF_CHECK(std::is_sorted(cpus.begin(), cpus.end()));
  std::vector<int> pinned;
  std::thread{[&] {
    if (pin_this_thread_to(cpus.back()))
      pinned = cpus_this_thread_may_use();
  }}.join();
  CAF_CHECK_EQUAL(pinned, std::vector<int>{cpus.back()});
  CAF_CHECK_EQUAL(cpus_this_thread_may_use(), cpus);
}

CAF_TEST(a thread a pinned thread starts may use every CPU under its name) {
  auto cpus = cpus_this_thread_may_use();
  std::vector<int> inherited;
  std::vector<int> freed;
  char name[16] = {};
  std::thread{[&] {
    pin_this_thread_to(cpus.back());
    std::thread{[&] {
      inherited = cpus_this_thread_may_use();
      name_and_reset_this_thread("agenttheo.test");
      freed = cpus_this_thread_may_use();
      pthread_getname_np(pthread_self(), name, sizeof name);
    }}.join();
  }}.join();
  CAF_CHECK_EQUAL(inherited, std::vector<int>{cpus.back()});
  CAF_CHECK_EQUAL(freed, cpus);
  CAF_CHECK_EQUAL(std::string{name}, "agenttheo.test");
}

CAF_TEST(a child forked from a pinned thread may use every CPU) {
  auto cpus = cpus_this_thread_may_use();
  int status = -1;
  std::thread{[&] {
    pin_this_thread_to(cpus.back());
    process_cpus whole;
    auto child = fork();
    if (child == 0) {
      // System calls only until _exit: the parent has other threads.
      whole.give_to_this_thread();
      cpu_set_t set;
      CPU_ZERO(&set);
      sched_getaffinity(0, sizeof set, &set);
      _exit(CPU_COUNT(&set));
    }
    waitpid(child, &status, 0);
  }}.join();
  CAF_REQUIRE(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), static_cast<int>(cpus.size()));
}
