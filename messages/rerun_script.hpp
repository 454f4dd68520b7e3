#pragma once

// A recorded run, as a script a new run repeats without the model
// (`POST /api/runs/{messageId}/rerun`): each step's words and tool calls,
// and where the page was before it.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// What a rerun does when the page is not where the recording was.
enum class rerun_fallback : std::uint8_t {
  /// The model takes over, with the conversation so far.
  model,
  /// The run fails (`rerun_diverged`).
  fail,
};

/// One model turn of the recording.
struct rerun_step {
  /// The model's words.
  std::string content;
  /// What it asked for; none: this turn answered.
  std::vector<tool_call> tool_calls;
  /// The page's URL before the step, as the recording saw it after the
  /// step before; empty: not recorded (the first step).
  std::string url_before;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rerun_step& x) {
  return f(caf::meta::type_name("rerun_step"), x.content, x.tool_calls,
           x.url_before);
}

struct rerun_script {
  /// The recorded run's messageId; empty: the run is no rerun.
  std::string of;
  std::string command;
  rerun_fallback fallback = rerun_fallback::model;
  std::vector<rerun_step> steps;

  bool empty() const {
    return of.empty();
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rerun_script& x) {
  return f(caf::meta::type_name("rerun_script"), x.of, x.command, x.fallback,
           x.steps);
}

} // namespace agenttheo
