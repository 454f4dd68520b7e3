#include "protocol/stream_params.hpp"

#include <algorithm>
#include <charconv>

#include "config/approval_rules.hpp"
#include "config/config_values.hpp"
#include "protocol/query.hpp"
#include "util/json_reader.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

std::optional<std::uint64_t> parse_event_id(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

} // namespace

bool is_safe_id(std::string_view id) {
  return !id.empty() && id.size() <= max_id_length
         && std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || c == '.' || c == '_'
                     || c == ':' || c == '-';
            });
}

std::optional<api_error>
check_command(std::string_view command, std::size_t max_command_length) {
  if (command.size() > max_command_length)
    return api_error::of(api_code::command_too_long,
                         "command is " + std::to_string(command.size())
                           + " bytes; the limit is "
                           + std::to_string(max_command_length));
  if (!is_valid_utf8(command))
    return api_error::of(api_code::bad_command, "command is not valid UTF-8");
  return std::nullopt;
}

std::optional<api_error> check_max_steps(std::uint64_t steps) {
  if (steps < 1 || steps > max_steps_limit)
    return api_error::of(api_code::bad_max_steps,
                         "max_steps must be an integer from 1 to "
                           + std::to_string(max_steps_limit));
  return std::nullopt;
}

std::variant<std::uint64_t, api_error> parse_max_failures(std::string_view text) {
  auto failures = parse_event_id(text);
  if (!failures || *failures > max_failures_limit)
    return api_error::of(api_code::bad_max_failures,
                         "max_failures must be an integer from 0 (never) to "
                           + std::to_string(max_failures_limit));
  return *failures;
}

std::variant<std::uint64_t, api_error> parse_max_steps(std::string_view text) {
  auto steps = parse_event_id(text);
  if (auto err = check_max_steps(steps.value_or(0)))
    return *err;
  return *steps;
}

std::optional<api_error> check_batch_ms(std::uint64_t ms) {
  if (ms > max_batch_ms)
    return api_error::of(api_code::bad_batch_ms,
                         "batch_ms must be an integer from 0 to "
                           + std::to_string(max_batch_ms));
  return std::nullopt;
}

std::variant<mode_mask, api_error> parse_stream_mode(std::string_view text) {
  auto mask = parse_mode_mask(text);
  if (!mask || *mask == 0)
    return api_error::of(api_code::bad_stream_mode,
                         "stream_mode must be messages, updates, custom, or a "
                         "comma-separated list of them");
  return *mask;
}

std::variant<multitask, api_error> parse_strategy(std::string_view text) {
  if (auto strategy = parse_multitask(text))
    return *strategy;
  return api_error::of(api_code::bad_multitask,
                       "multitask must be reject, enqueue or interrupt");
}

std::variant<std::uint16_t, api_error> parse_approve(std::string_view text) {
  std::string bad;
  if (auto mask = parse_approval_policy(text, &bad))
    return *mask;
  return api_error::of(api_code::bad_approve,
                       "approve must be none or a comma list of all, navigate, "
                       "new_host, submit, type_sensitive, download, upload (not '"
                         + bad + "')");
}

std::variant<std::uint64_t, api_error> parse_interrupt_timeout(std::string_view text) {
  std::chrono::milliseconds d{};
  constexpr auto day = std::chrono::hours{24};
  if (parse_duration(text, d) || d < std::chrono::seconds{1} || d > day)
    return api_error::of(api_code::bad_interrupt_timeout,
                         "interrupt_timeout must be a duration from 1s to 24h "
                         "(such as 90s or 10m)");
  return static_cast<std::uint64_t>(d.count());
}

namespace {

api_error bad_budget(std::string message) {
  return api_error::of(api_code::bad_budget, std::move(message));
}

} // namespace

std::variant<std::uint64_t, api_error> parse_max_tokens(std::string_view text) {
  auto tokens = parse_event_id(text);
  if (!tokens || *tokens < 1 || *tokens > 1'000'000'000'000)
    return bad_budget("max_tokens must be a whole number of tokens from 1 to 10^12");
  return *tokens;
}

std::variant<double, api_error> parse_max_cost_usd(std::string_view text) {
  double usd = 0;
  if (parse_decimal(text, usd, 0, 1e6) || usd <= 0)
    return bad_budget("max_cost_usd must be US dollars above 0 (such as 0.25), at "
                      "most 1000000");
  return usd;
}

std::variant<std::uint64_t, api_error> parse_max_duration(std::string_view text) {
  std::chrono::milliseconds d{};
  constexpr auto week = std::chrono::hours{24 * 7};
  if (parse_duration(text, d) || d < std::chrono::seconds{1} || d > week)
    return bad_budget("max_duration must be a duration from 1s to 7 days (such as "
                      "90s or 10m)");
  return static_cast<std::uint64_t>(d.count());
}

std::variant<std::string, api_error> parse_output_schema(std::string_view json) {
  constexpr std::size_t max_schema_bytes = 16 * 1024;
  json_document doc{json};
  if (json.size() > max_schema_bytes || !doc.parsed_object())
    return api_error::of(api_code::bad_output_schema,
                         "output_schema must be a JSON Schema object of at most "
                         "16 KiB");
  return to_json(doc.root());
}

std::variant<stream_request, api_error>
parse_stream_params(std::string_view query, std::string_view last_event_id,
                    std::size_t max_command_length) {
  auto params = parse_query(query);
  if (!params)
    return api_error::of(api_code::bad_query,
                         "the query string has a malformed "
                         "%-escape");
  stream_request req;
  if (auto* command = find_param(*params, "command")) {
    if (auto err = check_command(*command, max_command_length))
      return *err;
    req.command = *command;
  }
  if (auto* id = find_param(*params, "messageId")) {
    if (!is_safe_id(*id))
      return api_error::of(api_code::bad_message_id,
                           "messageId must be 1 to 128 characters from "
                           "A-Z a-z 0-9 . _ : -");
    req.message_id = *id;
  }
  if (auto* id = find_param(*params, "session")) {
    if (!is_safe_id(*id))
      return api_error::of(api_code::bad_session,
                           "session must be 1 to 128 characters "
                           "from A-Z a-z 0-9 . _ : -");
    req.session_id = *id;
  }
  if (auto* mode = find_param(*params, "stream_mode")) {
    auto mask = parse_stream_mode(*mode);
    if (auto* err = std::get_if<api_error>(&mask))
      return *err;
    req.modes = std::get<mode_mask>(mask);
  }
  // The header wins: EventSource sets it itself when it reconnects.
  auto* query_id = find_param(*params, "lastEventId");
  auto resume = !last_event_id.empty() ? last_event_id
                : query_id             ? std::string_view{*query_id}
                                       : std::string_view{};
  if (!resume.empty()) {
    auto id = parse_event_id(resume);
    if (!id)
      return api_error::of(api_code::bad_last_event_id,
                           "Last-Event-ID must be a non-negative integer event "
                           "id");
    req.has_last_event_id = true;
    req.last_event_id = *id;
  }
  if (auto* steps = find_param(*params, "max_steps")) {
    auto parsed = parse_max_steps(*steps);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.max_steps = std::get<std::uint64_t>(parsed);
  }
  if (auto* strategy = find_param(*params, "multitask")) {
    auto parsed = parse_strategy(*strategy);
    if (auto* err = std::get_if<api_error>(&parsed))
      return *err;
    req.strategy = std::get<multitask>(parsed);
  }
  if (auto* batch = find_param(*params, "batch_ms")) {
    auto ms = parse_event_id(*batch);
    if (auto err = check_batch_ms(ms.value_or(max_batch_ms + 1)))
      return *err;
    req.batch_ms = static_cast<std::uint32_t>(*ms);
  }
  auto param = [&](const char* name) -> std::optional<std::string_view> {
    if (auto* found = find_param(*params, name))
      return std::string_view{*found};
    return std::nullopt;
  };
  if (auto err = read_limits(param, req))
    return *err;
  if (auto err = read_steering(param, req))
    return *err;
  if (auto* policy = find_param(*params, "on_disconnect")) {
    if (*policy == "cancel")
      req.cancel_on_disconnect = true;
    else if (*policy != "continue")
      return api_error::of(api_code::bad_on_disconnect,
                           "on_disconnect must be continue or cancel");
  }
  return req;
}

} // namespace agenttheo
