#include "config/config_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include <arpa/inet.h>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

/// Splits `123ms` into 123 and `ms`.
std::pair<std::string_view, std::string_view> split_unit(std::string_view t) {
  auto pos = std::find_if(t.begin(), t.end(),
                          [](char c) {
                            return !std::isdigit(static_cast<unsigned char>(c));
                          })
             - t.begin();
  return {t.substr(0, pos), t.substr(pos)};
}

struct unit {
  std::string_view name;
  std::uint64_t scale;
};

constexpr unit size_units[] = {{"", 1},           {"B", 1},
                               {"K", 1ull << 10}, {"k", 1ull << 10},
                               {"KB", 1ull << 10}, {"KiB", 1ull << 10},
                               {"M", 1ull << 20}, {"MB", 1ull << 20},
                               {"MiB", 1ull << 20}, {"G", 1ull << 30},
                               {"GB", 1ull << 30}, {"GiB", 1ull << 30}};

constexpr unit duration_units[] = {{"", 1},         {"ms", 1},
                                   {"s", 1000},     {"m", 60'000},
                                   {"min", 60'000}, {"h", 3'600'000},
                                   {"d", 86'400'000}};

/// `digits` times the scale of its unit, or nullopt for an unknown unit or
/// a value past 2^40 (beyond any sensible setting, far from overflow).
template <std::size_t N>
std::optional<std::uint64_t> scaled(std::string_view text,
                                    const unit (&units)[N]) {
  auto [digits, suffix] = split_unit(text);
  auto value = parse_number(digits);
  for (const auto& u : units)
    if (u.name == suffix && value && *value <= (1ull << 40) / u.scale)
      return *value * u.scale;
  return std::nullopt;
}

} // namespace

std::string trim(std::string_view text) {
  auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return std::string{text};
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

parse_failure parse_integer(std::string_view text, std::uint64_t& out,
                            std::uint64_t min, std::uint64_t max) {
  auto value = parse_number(text);
  if (!value || *value < min || *value > max)
    return "an integer from " + std::to_string(min) + " to "
           + std::to_string(max);
  out = *value;
  return std::nullopt;
}

parse_failure parse_size(std::string_view text, std::size_t& out) {
  auto value = scaled(text, size_units);
  if (!value)
    return "a size in bytes (e.g. 65536, 512K, 16MiB)";
  out = static_cast<std::size_t>(*value);
  return std::nullopt;
}

parse_failure parse_flag(std::string_view text, bool& out) {
  auto v = ascii_lower(text);
  if (v == "true" || v == "1" || v == "yes" || v == "on")
    out = true;
  else if (v == "false" || v == "0" || v == "no" || v == "off")
    out = false;
  else
    return "true or false";
  return std::nullopt;
}

parse_failure parse_duration(std::string_view text,
                             std::chrono::milliseconds& out) {
  auto value = scaled(text, duration_units);
  if (!value)
    return "a duration (e.g. 1500, 1500ms, 15s, 10m, 7d)";
  out = std::chrono::milliseconds{*value};
  return std::nullopt;
}

parse_failure parse_decimal(std::string_view text, double& out, double min,
                            double max) {
  std::istringstream in{std::string{text}};
  double value = 0;
  if (in >> value && in.peek() == std::char_traits<char>::eof() && value >= min
      && value <= max) {
    out = value;
    return std::nullopt;
  }
  std::ostringstream expected;
  expected << "a number from " << min << " to " << max;
  return expected.str();
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::stringstream in{std::string{text}};
  std::string item;
  while (std::getline(in, item, ','))
    if (auto t = trim(item); !t.empty())
      items.push_back(t);
  return items;
}

std::string size_text(std::size_t bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0)
    return std::to_string(bytes >> 20) + "M";
  if (bytes != 0 && bytes % (1u << 10) == 0)
    return std::to_string(bytes >> 10) + "K";
  return std::to_string(bytes);
}

std::string duration_text(std::chrono::milliseconds ms) {
  auto n = static_cast<std::uint64_t>(ms.count());
  if (n != 0 && n % 86'400'000 == 0)
    return std::to_string(n / 86'400'000) + "d";
  if (n != 0 && n % 60'000 == 0)
    return std::to_string(n / 60'000) + "m";
  if (n != 0 && n % 1000 == 0)
    return std::to_string(n / 1000) + "s";
  return std::to_string(n) + "ms";
}

bool is_ip_literal(std::string_view text) {
  std::string copy{text};
  unsigned char bytes[16];
  return inet_pton(AF_INET, copy.c_str(), bytes) == 1
         || inet_pton(AF_INET6, copy.c_str(), bytes) == 1;
}

} // namespace agenttheo
