#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "messages/stream_request.hpp"
#include "util/json_reader.hpp"
#include "protocol/simple_response.hpp"

namespace agenttheo {

/// Longest messageId or session id accepted.
inline constexpr std::size_t max_id_length = 128;

/// True for ids made of `A-Z a-z 0-9 . _ : -`, 1 to 128 characters: safe in
/// URLs, logs, JSON and SSE without escaping.
bool is_safe_id(std::string_view id);


/// Most model turns a request may ask for.
inline constexpr std::uint64_t max_steps_limit = 1000;

/// A command within the length limit, in UTF-8; else the 400 to answer.
std::optional<api_error>
check_command(std::string_view command, std::size_t max_command_length);

/// `max_steps`: 1 to `max_steps_limit`.
std::variant<std::uint64_t, api_error> parse_max_steps(std::string_view text);
std::optional<api_error> check_max_steps(std::uint64_t steps);

/// `max_failures`: 0 (never) to `max_failures_limit`.
inline constexpr std::uint64_t max_failures_limit = 1000;
std::variant<std::uint64_t, api_error> parse_max_failures(std::string_view text);

/// `batch_ms`: 0 to `max_batch_ms`.
std::optional<api_error> check_batch_ms(std::uint64_t ms);

/// `stream_mode`: messages, updates, custom, or a comma-separated list.
std::variant<mode_mask, api_error> parse_stream_mode(std::string_view text);

/// `multitask`: reject, enqueue or interrupt.
std::variant<multitask, api_error> parse_strategy(std::string_view text);

/// `approve`: a comma list of approval rules (config/approval_rules.hpp).
std::variant<std::uint16_t, api_error> parse_approve(std::string_view text);

/// `interrupt_timeout`: a duration from 1s to 24h, in milliseconds.
std::variant<std::uint64_t, api_error> parse_interrupt_timeout(std::string_view text);

/// `output_schema`: a JSON object (a JSON Schema), at most 16 KiB; its
/// compact text.
std::variant<std::string, api_error> parse_output_schema(std::string_view json);

/// A JSON body's member as text for read_steering and read_limits: a
/// string's value, or an object's or a number's JSON (output_schema may be
/// either; `max_cost_usd` is a number, or its text).
inline auto member_text(json_reader& r) {
  return [&r, kept = std::string{}](const char* name) mutable
         -> std::optional<std::string_view> {
    const auto* v = r.any(name);
    if (v && (v->IsObject() || v->IsNumber())) {
      kept = to_json(*v);
      return std::string_view{kept};
    }
    return r.text(name);
  };
}

/// Reads `approve` and `interrupt_timeout` where a request has them
/// (`find` gives a parameter's text, or nullopt), into `req`.
template <class Find>
std::optional<api_error> read_steering(Find find, stream_request& req) {
  if (auto text = find("approve")) {
    auto parsed = parse_approve(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.approve = std::get<std::uint16_t>(parsed);
  }
  if (auto text = find("interrupt_timeout")) {
    auto parsed = parse_interrupt_timeout(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.interrupt_timeout_ms = std::get<std::uint64_t>(parsed);
  }
  if (auto text = find("output_schema")) {
    auto parsed = parse_output_schema(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.output_schema = std::get<std::string>(std::move(parsed));
  }
  return std::nullopt;
}

/// `max_tokens` (1 to 10^12), `max_cost_usd` (US dollars, above 0, at
/// most 10^6), `max_duration` (1s to 7 days).
std::variant<std::uint64_t, api_error> parse_max_tokens(std::string_view text);
std::variant<double, api_error> parse_max_cost_usd(std::string_view text);
std::variant<std::uint64_t, api_error> parse_max_duration(std::string_view text);

/// Reads what ends a run early, where a request says: `max_failures` and
/// its budget (see read_steering).
template <class Find>
std::optional<api_error> read_limits(Find find, stream_request& req) {
  if (auto text = find("max_failures")) {
    auto parsed = parse_max_failures(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.max_failures = static_cast<std::int64_t>(std::get<std::uint64_t>(parsed));
  }
  if (auto text = find("max_tokens")) {
    auto parsed = parse_max_tokens(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.max_tokens = std::get<std::uint64_t>(parsed);
  }
  if (auto text = find("max_cost_usd")) {
    auto parsed = parse_max_cost_usd(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.max_cost_usd = std::get<double>(parsed);
  }
  if (auto text = find("max_duration")) {
    auto parsed = parse_max_duration(*text);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.max_duration_ms = std::get<std::uint64_t>(parsed);
  }
  return std::nullopt;
}

/// Validates a `/stream` request: its query string and `Last-Event-ID`
/// header (empty if absent). Returns the request, or the 400 to answer.
std::variant<stream_request, api_error>
parse_stream_params(std::string_view query, std::string_view last_event_id,
                    std::size_t max_command_length);

} // namespace agenttheo
