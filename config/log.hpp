#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace agenttheo {

enum class log_level { debug, info, warn, error };

std::optional<log_level> parse_log_level(std::string_view text);

std::string_view to_string(log_level level);

/// Sets the lowest level that is written (to stderr).
void set_log_level(log_level level);

bool log_enabled(log_level level);

void write_log_line(log_level level, std::string_view line);

/// `log(log_level::info, "listening on ", host, ':', port);`
template <class... Ts>
void log(log_level level, const Ts&... parts) {
  if (!log_enabled(level))
    return;
  std::ostringstream out;
  (out << ... << parts);
  write_log_line(level, out.str());
}

} // namespace agenttheo
