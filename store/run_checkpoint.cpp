#include "store/run_checkpoint.hpp"

#include "store/conversation_json.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

void write_call(json_writer& out, const tool_call& call) {
  out.begin_object()
    .field("id", call.id)
    .field("name", call.name)
    .field("arguments", call.arguments)
    .end_object();
}

void write_record(json_writer& out, const interrupt_record& r) {
  out.begin_object()
    .field("id", r.id)
    .field("kind", to_string(r.kind))
    .field("message_id", r.message_id)
    .field("step", r.step)
    .field("call_id", r.call_id)
    .field("tool_name", r.tool_name)
    .field("tool_input", r.tool_input_json)
    .field("rule", r.rule)
    .field("reason", r.reason)
    .field("question", r.question)
    .key("choices")
    .begin_array();
  for (const auto& choice : r.choices)
    out.value(choice);
  out.end_array().field("expires_at", r.expires_at_ms).end_object();
}

std::string text(json_reader& in, const char* name) {
  return std::string{in.text(name).value_or("")};
}

tool_call read_call(const rapidjson::Value& v) {
  json_reader in{v};
  return {text(in, "id"), text(in, "name"), text(in, "arguments")};
}

std::optional<interrupt_kind> kind_named(std::string_view name) {
  for (auto kind : {interrupt_kind::approval, interrupt_kind::question,
                    interrupt_kind::takeover})
    if (to_string(kind) == name)
      return kind;
  return std::nullopt;
}

std::optional<pending_interrupt> read_interrupt(const rapidjson::Value& v) {
  json_reader in{v};
  auto record = in.object("record");
  auto kind = kind_named(text(record, "kind"));
  const auto* call = in.any("call");
  if (!kind || !call || text(record, "id").empty())
    return std::nullopt;
  pending_interrupt p;
  auto& r = p.record;
  r.id = text(record, "id");
  r.kind = *kind;
  r.message_id = text(record, "message_id");
  r.step = record.count("step").value_or(0);
  r.call_id = text(record, "call_id");
  r.tool_name = text(record, "tool_name");
  r.tool_input_json = text(record, "tool_input");
  r.rule = text(record, "rule");
  r.reason = text(record, "reason");
  r.question = text(record, "question");
  if (const auto* choices = record.array("choices"))
    for (const auto& choice : choices->GetArray())
      if (choice.IsString())
        r.choices.emplace_back(choice.GetString(), choice.GetStringLength());
  r.expires_at_ms = record.integer("expires_at").value_or(0);
  p.call = read_call(*call);
  p.remaining_ms = in.integer("remaining_ms").value_or(0);
  return p;
}

} // namespace

std::string checkpoint_to_json(const run_checkpoint& c) {
  json_writer out;
  out.begin_object()
    .key("conversation")
    .raw(conversation_to_json(c.messages))
    .key("step_results")
    .begin_array();
  for (const auto& r : c.step_results)
    out.begin_object()
      .field("call_id", r.call_id)
      .field("name", r.name)
      .field("ok", r.ok)
      .field("output", r.output)
      .field("error_code", r.error_code)
      .end_object();
  out.end_array().field("tools_pending", c.tools_pending).key("calls_waiting").begin_array();
  for (const auto& call : c.calls_waiting)
    write_call(out, call);
  out.end_array()
    .field("approve", static_cast<std::uint64_t>(c.approve))
    .field("interrupt_timeout_ms", c.interrupt_timeout_ms)
    .field("paused", c.paused)
    .key("interrupts")
    .begin_array();
  for (const auto& p : c.interrupts) {
    out.begin_object().key("record");
    write_record(out, p.record);
    out.key("call");
    write_call(out, p.call);
    out.field("remaining_ms", p.remaining_ms).end_object();
  }
  out.end_array().end_object();
  return out.str();
}

std::optional<run_checkpoint> checkpoint_from_json(std::string_view json) {
  json_document doc{json};
  if (!doc.parsed_object())
    return std::nullopt;
  json_reader in{doc};
  const auto* conversation = in.any("conversation");
  const auto* interrupts = in.array("interrupts");
  if (!conversation || !interrupts)
    return std::nullopt;
  run_checkpoint c;
  c.messages = conversation_from_json(to_json(*conversation));
  if (const auto* results = in.array("step_results"))
    for (const auto& item : results->GetArray()) {
      json_reader r{item};
      c.step_results.push_back({text(r, "call_id"), text(r, "name"),
                                r.boolean("ok").value_or(false), text(r, "output"),
                                text(r, "error_code")});
    }
  c.tools_pending = in.count("tools_pending").value_or(0);
  if (const auto* calls = in.array("calls_waiting"))
    for (const auto& item : calls->GetArray())
      c.calls_waiting.push_back(read_call(item));
  c.approve = static_cast<std::uint16_t>(in.count("approve").value_or(0));
  c.interrupt_timeout_ms = in.integer("interrupt_timeout_ms").value_or(0);
  c.paused = in.boolean("paused").value_or(false);
  for (const auto& item : interrupts->GetArray())
    if (auto p = read_interrupt(item))
      c.interrupts.push_back(std::move(*p));
  if (c.interrupts.empty())
    return std::nullopt;
  return c;
}

} // namespace agenttheo
