#pragma once

// Where a run is, and how it ended: the words the JSON API and the
// `complete` event's `stop_reason` show.

#include <cstdint>
#include <string_view>

namespace agenttheo {

enum class run_phase : std::uint8_t { queued, running, finished };

constexpr std::string_view to_string(run_phase phase) {
  switch (phase) {
    case run_phase::queued:
      return "queued";
    case run_phase::running:
      return "running";
    default:
      return "finished";
  }
}

/// `none` until the run has finished.
enum class run_outcome : std::uint8_t {
  none,
  complete,
  max_steps,
  cancelled,
  failed,
};

constexpr std::string_view to_string(run_outcome outcome) {
  switch (outcome) {
    case run_outcome::complete:
      return "complete";
    case run_outcome::max_steps:
      return "max_steps";
    case run_outcome::cancelled:
      return "cancelled";
    case run_outcome::failed:
      return "failed";
    default:
      return "";
  }
}

} // namespace agenttheo
