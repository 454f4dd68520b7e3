#pragma once

// Watches a run's tool calls for the two ways an agent wastes its steps:
// doing the same thing again on a page that does not change (a loop), and
// failing again and again. The session shows it every call that ends.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace agenttheo {

struct step_watch_limits {
  /// The same call on the same page this many times: the model is told
  /// (LOOP_NUDGE); this many: the run ends (LOOP_STOP). 0: never.
  std::uint32_t loop_nudge = 3;
  std::uint32_t loop_stop = 6;
  /// Failed calls in a row that end the run (MAX_FAILURES, max_failures).
  /// 0: never.
  std::uint32_t max_failures = 3;
};

/// One finished tool call as the watch sees it.
struct watched_call {
  std::string_view tool;
  std::string_view arguments_json;
  std::string_view url;
  /// The page after it (browser/scripts/page_digest.js); empty: the call
  /// did not act on a page, and is no part of a loop.
  std::string_view page_digest;
  bool ok = true;
  /// A person rejected it: neither a failure nor a repeat.
  bool rejected = false;
  std::string_view output;
};

class step_watch {
public:
  /// What the run should do after a call (stronger ones compare greater).
  enum class verdict : std::uint8_t { go_on, nudge, loop_detected, too_many_failures };

  explicit step_watch(step_watch_limits limits = {}) : limits_(limits) {
  }

  verdict observe(const watched_call& call);

  /// The last call that looped (a nudge, a stop), and how often it had.
  const std::string& repeated_action() const {
    return repeated_;
  }
  std::uint32_t repeats() const {
    return repeats_;
  }

  /// Told to the model at a nudge: what it repeats, and what it tried.
  std::string nudge_message(std::string_view url) const;

  /// The failures in a row, one line each, for the run's error.
  std::string failure_summary() const;

  /// A call's arguments with keys in order and spaces collapsed, so that
  /// the same action written twice reads the same.
  static std::string normalised_input(std::string_view arguments_json);

private:
  step_watch_limits limits_;
  /// Each fingerprint's hash (tool, input, URL, page) and its count.
  std::unordered_map<std::size_t, std::uint32_t> seen_;
  std::string repeated_;
  std::uint32_t repeats_ = 0;
  /// The last few distinct actions, newest last.
  std::deque<std::string> tried_;
  std::deque<std::string> failures_;
};

} // namespace agenttheo
