#pragma once

#include <string_view>
#include <variant>

#include "messages/api_error.hpp"
#include "messages/rerun_script.hpp"

namespace agenttheo {

/// The script of a recorded run, read from its events as
/// `GET /api/runs/{messageId}/events` gives them: the command from `start`,
/// a step per assistant `message` (its words and tool calls), and the URL
/// before each step from the `tools` update of the step before. 409
/// `run_not_finished` for a run still going, `recording_incomplete` when the
/// log lost part of it or it has no step.
std::variant<rerun_script, api_error> rerun_script_of(std::string_view events_json);

} // namespace agenttheo
