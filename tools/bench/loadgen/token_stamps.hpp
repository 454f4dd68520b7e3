#pragma once

#include <cstdint>
#include <string_view>

namespace loadgen {

/// A token as the benchmark upstream or publisher writes it: its text is
/// exactly `t<CLOCK_MONOTONIC ns>;`, and AgentTheo, the guide's stack and
/// the nchan publisher add the token's ordinal as `"count":<n>` after it.
struct token_stamp {
  std::uint64_t sent_ns = 0;
  std::int64_t count = -1; // -1: the payload carries no ordinal
};

namespace detail {

inline std::size_t skip_spaces(std::string_view s, std::size_t at) {
  while (at < s.size() && (s[at] == ' ' || s[at] == '\t'))
    ++at;
  return at;
}

/// At `at`, after a key's closing quote: `: "t<digits>;"`? Returns the
/// stamp and moves `at` past it.
inline bool read_stamp(std::string_view s, std::size_t& at, std::uint64_t& ns) {
  at = skip_spaces(s, at);
  if (at >= s.size() || s[at] != ':')
    return false;
  at = skip_spaces(s, at + 1);
  if (s.substr(at, 2) != "\"t")
    return false;
  at += 2;
  auto digits = at;
  ns = 0;
  while (at < s.size() && s[at] >= '0' && s[at] <= '9')
    ns = ns * 10 + static_cast<std::uint64_t>(s[at++] - '0');
  // The whole string is the stamp: an assistant `message` or a `complete`
  // result holding many tokens' text is not a token.
  return at > digits && s.substr(at, 2) == ";\"";
}

inline std::int64_t read_count(std::string_view s, std::size_t from,
                               std::size_t until) {
  constexpr std::string_view key = "\"count\"";
  auto at = s.find(key, from);
  if (at == std::string_view::npos || at > until)
    return -1;
  at = skip_spaces(s, at + key.size());
  if (at >= s.size() || s[at] != ':')
    return -1;
  at = skip_spaces(s, at + 1);
  std::int64_t n = 0;
  auto digits = at;
  while (at < s.size() && s[at] >= '0' && s[at] <= '9')
    n = n * 10 + (s[at++] - '0');
  return at > digits ? n : -1;
}

} // namespace detail

/// Calls `f(token_stamp)` for each stamped token in `payload` (an SSE event,
/// a WebSocket message, or a WebSocket batch of several envelopes): a
/// `"token"` (AgentTheo, the peers) or `"content"` (the upstream) string.
template <class F>
void for_each_stamp(std::string_view payload, F&& f) {
  std::size_t at = 0;
  for (;;) {
    auto token = payload.find("\"token\"", at);
    auto content = payload.find("\"content\"", at);
    auto key = std::min(token, content);
    if (key == std::string_view::npos)
      return;
    at = key + (key == token ? 7 : 9);
    token_stamp stamp;
    if (!detail::read_stamp(payload, at, stamp.sent_ns))
      continue;
    auto next = std::min(payload.find("\"token\"", at), payload.find("\"content\"", at));
    stamp.count = detail::read_count(payload, at, next);
    f(stamp);
  }
}

} // namespace loadgen
