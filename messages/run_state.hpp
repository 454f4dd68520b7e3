#pragma once

// Where a run is, and how it ended: the words the JSON API and the
// `complete` event's `stop_reason` show.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace agenttheo {

enum class run_phase : std::uint8_t { queued, running, finished };

constexpr std::string_view to_string(run_phase phase) {
  constexpr std::string_view names[] = {"queued", "running", "finished"};
  return names[static_cast<std::size_t>(phase)];
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
  constexpr std::string_view names[] = {"", "complete", "max_steps",
                                        "cancelled", "failed"};
  return names[static_cast<std::size_t>(outcome)];
}

/// The word a `complete` event's `outcome` uses: a run that answered is a
/// `success`, unless its last step failed.
constexpr std::string_view completion_word(run_outcome outcome) {
  return outcome == run_outcome::complete ? "success" : to_string(outcome);
}

} // namespace agenttheo
