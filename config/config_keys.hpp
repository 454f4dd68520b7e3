#pragma once

// Every setting, declared once: its key, its group in `--help`, what it
// means, how its text is checked and stored, and how its value reads back
// (for the defaults `--help` shows). The model is Centrifugo's
// `internal/configtypes`.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/config_values.hpp"

namespace agenttheo {

enum class config_group { server, streams, llm, browser, admin, cluster, store };

std::string_view to_string(config_group group);

struct config_key {
  /// In .env and the environment; the flag is the same in lower case with
  /// dashes (`EVENT_LOG_MAX_EVENTS` is `--event-log-max-events`).
  std::string_view name;
  config_group group;
  std::string_view help;
  /// Checks `text` and stores it, or says what was expected.
  std::function<parse_failure(server_config&, std::string_view text)> apply;
  /// The value as text (empty when unset; secrets never show).
  std::function<std::string(const server_config&)> show;
};

/// The table, in the order `--help` lists it.
const std::vector<config_key>& config_keys();

} // namespace agenttheo
