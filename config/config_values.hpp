#pragma once

// How a setting's text becomes a value: each parser returns what it
// expected when the text is not that (the caller names key and source).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// What was expected, when the text was not it.
using parse_failure = std::optional<std::string>;

std::string trim(std::string_view text);

std::optional<std::uint64_t> parse_number(std::string_view text);

/// An integer from `min` to `max`.
parse_failure parse_integer(std::string_view text, std::uint64_t& out,
                            std::uint64_t min, std::uint64_t max);

/// `1048576`, `512K`, `16MiB`, `1G`.
parse_failure parse_size(std::string_view text, std::size_t& out);

/// true/false, 1/0, yes/no, on/off (any case).
parse_failure parse_flag(std::string_view text, bool& out);

/// `1500` (milliseconds), `1500ms`, `15s`, `10m`, `1h`.
parse_failure parse_duration(std::string_view text,
                             std::chrono::milliseconds& out);

/// A decimal number from `min` to `max`.
parse_failure parse_decimal(std::string_view text, double& out, double min,
                            double max);

/// A dotted-quad IPv4 or an IPv6 address (no brackets).
bool is_ip_literal(std::string_view text);

/// Comma-separated items, each trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view text);

/// `512K` for 524288: the largest unit that divides it.
std::string size_text(std::size_t bytes);

/// `15s` for 15000 ms: the largest unit that divides it.
std::string duration_text(std::chrono::milliseconds ms);

} // namespace agenttheo
