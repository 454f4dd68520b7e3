#pragma once

// An interrupt: a run waits until a person (or a timeout) decides. The
// session keeps one record per interrupt; its `interrupt` and
// `interrupt_resolved` events, the API's `pending_interrupts` and the
// answer a client sends are all read from or checked against it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages/api_error.hpp"

namespace agenttheo {

enum class interrupt_kind : std::uint8_t { approval, question, takeover };

std::string_view to_string(interrupt_kind kind);

/// Who decided: `api`, `ws`, `timeout`, `operator`.
struct interrupt_answer {
  std::string decision;
  /// `edit`: the tool input to run instead, a JSON object.
  std::string input_json;
  std::string answer;
  std::string message;
  std::string by;
  /// The client that decided (not shown): an approved takeover hands the
  /// browser to it.
  std::string client = {};
};

struct interrupt_record {
  std::string id;
  interrupt_kind kind = interrupt_kind::approval;
  std::string message_id;
  std::uint64_t step = 0;
  /// The tool call it gates (or, for questions and takeovers, is).
  std::string call_id;
  std::string tool_name;
  std::string tool_input_json;
  /// The approval rule that matched (empty for questions and takeovers).
  std::string rule;
  std::string reason;
  std::string question;
  /// A question's suggested answers.
  std::vector<std::string> choices;
  std::int64_t expires_at_ms = 0;
  bool resolved = false;
  interrupt_answer resolution;
};

/// The decisions an interrupt offers: approve/reject/edit for approvals,
/// answer/reject for questions, approve/reject for takeovers.
const std::vector<std::string_view>& offered_decisions(interrupt_kind kind);

/// The `interrupt` event's data (and a `pending_interrupts` entry).
std::string interrupt_json(const interrupt_record& record);

/// The `interrupt_resolved` event's data, and the answer to the request
/// that resolved it.
std::string interrupt_resolved_json(const interrupt_record& record);

/// Reads `{"decision", "input"?, "answer"?, "message"?}` (the API's body,
/// the WebSocket message's fields); checks what needs no interrupt.
std::variant<interrupt_answer, api_error>
parse_interrupt_answer(std::string_view body_json);

/// Whether `answer` may resolve `record`: the decision is offered, an
/// answer has its text. (The tool input of an edit is checked against the
/// tool's schema by the session, which knows the tools.)
std::optional<api_error> check_answer(const interrupt_record& record,
                                      const interrupt_answer& answer);

} // namespace agenttheo
