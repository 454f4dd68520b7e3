#include "config/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace agenttheo {

namespace {

std::atomic<int> min_level{static_cast<int>(log_level::info)};
std::mutex output_mutex;

} // namespace

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "DEBUG" || text == "debug")
    return log_level::debug;
  if (text == "INFO" || text == "info")
    return log_level::info;
  if (text == "WARN" || text == "warn" || text == "WARNING"
      || text == "warning")
    return log_level::warn;
  if (text == "ERROR" || text == "error")
    return log_level::error;
  return std::nullopt;
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::debug:
      return "DEBUG";
    case log_level::info:
      return "INFO";
    case log_level::warn:
      return "WARN";
    default:
      return "ERROR";
  }
}

void set_log_level(log_level level) {
  min_level = static_cast<int>(level);
}

bool log_enabled(log_level level) {
  return static_cast<int>(level) >= min_level.load(std::memory_order_relaxed);
}

void write_log_line(log_level level, std::string_view line) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count()
                % 1000;
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard<std::mutex> guard{output_mutex};
  std::fprintf(stderr, "%s.%03dZ %-5s %.*s\n", stamp, static_cast<int>(millis),
               to_string(level).data(), static_cast<int>(line.size()),
               line.data());
}

} // namespace agenttheo
