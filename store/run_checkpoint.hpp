#pragma once

// A run that waits for a person, as the store keeps it: enough to go on
// after a restart exactly where it stopped. Its part of the conversation,
// the step's results so far and the calls still to run, the rules it runs
// under, and its pending interrupts with the calls they gate and the time
// they have left. Written when an interrupt opens (and as it changes),
// cleared once nothing waits.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"
#include "messages/interrupt.hpp"

namespace agenttheo {

/// One finished call of the step in progress (a tool_finished, without
/// its screenshot).
struct step_result {
  std::string call_id;
  std::string name;
  bool ok = false;
  std::string output;
  std::string error_code;
};

struct pending_interrupt {
  interrupt_record record;
  tool_call call;
  /// Time it had left when written (its `expires_at` says when, in
  /// wall-clock time, for a run that was not paused).
  std::int64_t remaining_ms = 0;
};

struct run_checkpoint {
  std::vector<chat_message> messages;
  std::vector<step_result> step_results;
  std::uint64_t tools_pending = 0;
  std::vector<tool_call> calls_waiting;
  std::uint16_t approve = 0;
  std::int64_t interrupt_timeout_ms = 0;
  bool paused = false;
  std::vector<pending_interrupt> interrupts;
};

std::string checkpoint_to_json(const run_checkpoint& checkpoint);

/// nullopt for an empty or unreadable text (the run then ends as any run
/// the process left unfinished does).
std::optional<run_checkpoint> checkpoint_from_json(std::string_view json);

} // namespace agenttheo
