#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/session.hpp"
#include "store/run_frames.hpp"

namespace agenttheo {

struct tool_finished;

// What the JSON API and the `update` events say about a session: plain
// functions of its state, kept apart from the actor's behaviour.

/// `update` after the model's turn (LangGraph's `agent` node): the message
/// it added, and what fitting the prompt into the context budget took.
std::string agent_update_json(const chat_message& added,
                              const budget_report& context);

/// `update` after the step's tools ran (the `tools` node): their results.
std::string tools_update_json(const std::vector<tool_finished>& results,
                              std::string_view page_url);

/// `GET /api/sessions/{id}`.
std::string describe_json(const session_state& st);

/// Whether an interrupt of `run` waits for a decision.
bool waits_for_person(const session_state& st, const run_record& run);

/// The interrupts still waiting for a decision: a JSON array of their
/// `interrupt` event data.
std::string pending_interrupts_json(const session_state& st);

/// `GET /api/runs/{messageId}/events`: the run's events after `after_id`,
/// as envelopes, with a `gap` if the log no longer holds some.
std::string run_events_json(const session_state& st, const run_record& run,
                            std::uint64_t after_id);

/// Where `run`'s frames are kept (store/run_frames.hpp); none when the
/// session's id is no folder name.
std::optional<run_frames> frames_of(const session_state& st, const run_record& run);

/// `GET /api/runs/{messageId}/frames` (`frame_id` 0): the run's recorded
/// frames, each with its time and where to fetch it; `/frames/{frame_id}`:
/// that frame's JPEG.
api_reply run_frames_reply(const session_state& st, const run_record& run,
                           std::uint64_t frame_id);

std::string cancel_reply_json(std::string_view session,
                              std::string_view cancelled_message_id);

std::string delete_reply_json(std::string_view session,
                              const std::vector<std::string>& ended);

} // namespace agenttheo
