#include "messages/interrupt.hpp"

#include <algorithm>
#include <string>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// Longest answer or message a person may send (a question's answer is a
/// tool result the model reads).
constexpr std::size_t max_answer_bytes = 4000;

} // namespace

std::string_view to_string(interrupt_kind kind) {
  constexpr std::string_view names[] = {"approval", "question", "takeover"};
  return names[static_cast<std::size_t>(kind)];
}

const std::vector<std::string_view>& offered_decisions(interrupt_kind kind) {
  static const std::vector<std::string_view> approval{"approve", "reject", "edit"};
  static const std::vector<std::string_view> question{"answer", "reject"};
  static const std::vector<std::string_view> takeover{"approve", "reject"};
  switch (kind) {
    case interrupt_kind::question: return question;
    case interrupt_kind::takeover: return takeover;
    default: return approval;
  }
}

std::string interrupt_json(const interrupt_record& r) {
  json_writer out;
  out.begin_object()
    .field("interrupt_id", r.id)
    .field("kind", to_string(r.kind))
    .field("messageId", r.message_id)
    .field("step", r.step);
  if (!r.tool_name.empty()) {
    out.field("tool_name", r.tool_name).field("call_id", r.call_id);
    out.key("tool_input").raw(r.tool_input_json.empty() ? "{}" : r.tool_input_json);
  }
  if (!r.rule.empty())
    out.field("rule", r.rule);
  out.field("reason", r.reason);
  if (r.kind == interrupt_kind::question) {
    out.field("question", r.question);
    out.key("choices").begin_array();
    for (const auto& choice : r.choices)
      out.value(choice);
    out.end_array();
  }
  out.key("options").begin_array();
  for (auto option : offered_decisions(r.kind))
    out.value(option);
  out.end_array();
  out.field("expires_at", r.expires_at_ms).end_object();
  return out.str();
}

std::string interrupt_resolved_json(const interrupt_record& r) {
  const auto& a = r.resolution;
  json_writer out;
  out.begin_object()
    .field("interrupt_id", r.id)
    .field("kind", to_string(r.kind))
    .field("messageId", r.message_id)
    .field("decision", a.decision)
    .field("by", a.by);
  if (!a.message.empty())
    out.field("message", a.message);
  if (!a.answer.empty())
    out.field("answer", a.answer);
  if (!a.input_json.empty())
    out.key("input").raw(a.input_json);
  out.end_object();
  return out.str();
}

std::variant<interrupt_answer, api_error>
parse_interrupt_answer(std::string_view body_json) {
  json_document doc{body_json};
  if (!doc.parsed_object())
    return api_error::bad_body(
      "the body must be a JSON object with a `decision`");
  json_reader in{doc};
  interrupt_answer a;
  auto text = [&](const char* name, std::string& into) -> std::optional<api_error> {
    const auto* v = in.any(name);
    if (!v)
      return std::nullopt;
    if (!v->IsString())
      return api_error::bad_body(std::string{"`"} + name
                                 + "` must be a string");
    into.assign(v->GetString(), v->GetStringLength());
    if (into.size() > max_answer_bytes)
      return api_error::bad_body(std::string{"`"} + name + "` is longer than "
                                 + std::to_string(max_answer_bytes) + " bytes");
    return std::nullopt;
  };
  for (auto [name, into] : {std::pair{"decision", &a.decision},
                            std::pair{"answer", &a.answer},
                            std::pair{"message", &a.message}})
    if (auto err = text(name, *into))
      return *err;
  if (a.decision.empty())
    return api_error::of(api_code::bad_decision,
                         "`decision` must be approve, reject, edit or answer");
  if (const auto* input = in.any("input")) {
    if (!input->IsObject())
      return api_error::of(api_code::bad_tool_input, "`input` must be a JSON object");
    a.input_json = to_json(*input);
  }
  return a;
}

std::optional<api_error> check_answer(const interrupt_record& record,
                                      const interrupt_answer& answer) {
  const auto& offered = offered_decisions(record.kind);
  if (std::find(offered.begin(), offered.end(), answer.decision) == offered.end()) {
    std::string list;
    for (auto option : offered)
      list += (list.empty() ? "" : ", ") + std::string{option};
    return api_error::of(api_code::bad_decision,
                         "this " + std::string{to_string(record.kind)}
                           + " offers " + list + ", not '" + answer.decision + "'");
  }
  if (answer.decision == "edit" && answer.input_json.empty())
    return api_error::of(api_code::bad_tool_input,
                         "`edit` needs the tool input to run, as `input`");
  if (answer.decision == "answer" && answer.answer.empty())
    return api_error::of(api_code::bad_decision, "`answer` needs the answer's text");
  return std::nullopt;
}

} // namespace agenttheo
