#define CAF_SUITE cpu_busy

#include "util/cpu_busy.hpp"

#include <caf/test/unit_test.hpp>

using agenttheo::cpu_busy_seconds;
using agenttheo::parse_cpu_busy;

CAF_TEST(each CPU is busy for its user nice system irq and softirq time) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  auto busy = parse_cpu_busy("cpu  900 0 900 9000 5 0 0 0 0 0\n"
                             "cpu0 100 10 200 5000 7 3 2 40 0 0\n"
                             "cpu1 50 0 25 4000 0 0 5 0 0 0\n"
                             "intr 12345 0 0\n"
                             "ctxt 99\n",
                             100.0);
  CAF_REQUIRE_EQUAL(busy.size(), 2u);
  CAF_CHECK_EQUAL(busy.at(0), 3.15); // idle, iowait and steal left out
  CAF_CHECK_EQUAL(busy.at(1), 0.8);
}

CAF_TEST(a CPU offline or a line cut short is left out) {
  auto busy = parse_cpu_busy("cpu0 1 2\ncpu3 100 0 0 0 0 0 0 0 0 0", 100.0);
  CAF_REQUIRE_EQUAL(busy.size(), 1u);
  CAF_CHECK_EQUAL(busy.at(3), 1.0);
  CAF_CHECK(parse_cpu_busy("", 100.0).empty());
}

CAF_TEST(this machine reads one entry per CPU it has online and they grow) {
  auto before = cpu_busy_seconds();
  CAF_REQUIRE(!before.empty());
  volatile double x = 0;
  for (int i = 0; i < 50'000'000; ++i)
    x = x + 1;
  auto after = cpu_busy_seconds();
  CAF_REQUIRE_EQUAL(after.size(), before.size());
  double grew = 0;
  for (auto [cpu, seconds] : after) {
    CAF_CHECK(seconds >= before.at(cpu));
    grew += seconds - before.at(cpu);
  }
  CAF_CHECK(grew > 0);
}
