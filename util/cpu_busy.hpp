#pragma once

#include <map>
#include <string_view>

namespace agenttheo {

/// Seconds each CPU of the machine has been busy since boot (every process
/// together: user, nice, system, irq and softirq time; idle, iowait and
/// steal left out), by CPU number, from `/proc/stat`. Empty where it
/// cannot be read.
std::map<int, double> cpu_busy_seconds();

/// The same from `/proc/stat`'s text; `ticks_per_second` is USER_HZ.
std::map<int, double>
parse_cpu_busy(std::string_view proc_stat, double ticks_per_second);

} // namespace agenttheo
