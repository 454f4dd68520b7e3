#include "messages/payloads.hpp"

#include "util/artifact_name.hpp"
#include "util/json_writer.hpp"

namespace agenttheo::payload {

std::string token(std::string_view text, std::uint64_t count) {
  json_writer out;
  out.begin_object()
    .field("token", text)
    .key("metadata")
    .begin_object()
    .field("count", count)
    .end_object()
    .end_object();
  return out.str();
}

void write_tool_calls(json_writer& out, const std::vector<tool_call>& calls) {
  if (calls.empty())
    return;
  out.key("tool_calls").begin_array();
  for (const auto& call : calls)
    out.begin_object()
      .field("id", call.id)
      .field("name", call.name)
      .field("arguments", call.arguments)
      .end_object();
  out.end_array();
}

std::string message(std::string_view role, std::string_view content,
                    std::uint64_t step, const std::vector<tool_call>& tool_calls) {
  json_writer out;
  out.begin_object()
    .field("role", role)
    .field("content", content)
    .field("step", step);
  write_tool_calls(out, tool_calls);
  out.end_object();
  return out.str();
}

std::string progress(std::uint64_t step, std::uint64_t total,
                     std::string_view message, bool total_known,
                     std::uint64_t max_steps) {
  json_writer out;
  out.begin_object()
    .field("step", step)
    .field("total", total)
    .field("message", message)
    .field("total_known", total_known)
    .field("max_steps", max_steps)
    .end_object();
  return out.str();
}

std::string tool_start(std::string_view tool_name,
                       std::string_view tool_input_json,
                       std::string_view call_id) {
  json_writer out;
  out.begin_object().field("tool_name", tool_name).key("tool_input");
  if (tool_input_json.empty())
    out.null();
  else
    out.raw(tool_input_json);
  out.field("call_id", call_id).end_object();
  return out.str();
}

std::string tool_end(std::string_view tool_name, std::string_view call_id,
                     std::string_view output, bool ok,
                     std::uint64_t duration_ms, std::string_view error_code,
                     std::uint32_t tab) {
  json_writer out;
  out.begin_object()
    .field("tool_name", tool_name)
    .field("call_id", call_id)
    .field("output", output)
    .field("ok", ok)
    .field("duration_ms", duration_ms);
  if (!error_code.empty())
    out.field("error_code", error_code);
  if (tab)
    out.field("tab", tab);
  out.end_object();
  return out.str();
}

std::string update(std::uint64_t step, std::string_view node,
                   std::string_view state_json) {
  json_writer out;
  out.begin_object()
    .field("step", step)
    .field("node", node)
    .key("state")
    .raw(state_json.empty() ? std::string_view{"{}"} : state_json)
    .end_object();
  return out.str();
}

std::string custom(std::string_view body_json) {
  return std::string{body_json.empty() ? std::string_view{"{}"} : body_json};
}

std::string screenshot(std::string_view mime, std::string_view base64_data,
                       std::string_view url, std::uint32_t tab) {
  json_writer out;
  out.begin_object()
    .field("mime", mime)
    .field("image", base64_data)
    .field("url", url);
  if (tab)
    out.field("tab", tab);
  out.end_object();
  return out.str();
}

std::string artifact(std::string_view session, std::string_view name,
                     std::string_view mime, std::uint64_t bytes,
                     std::string_view source) {
  json_writer out;
  out.begin_object()
    .field("name", name)
    .field("mime", mime)
    .field("bytes", bytes)
    .field("url", artifact_url(session, name))
    .field("source", source)
    .end_object();
  return out.str();
}

std::string start(std::string_view session, std::string_view message_id,
                  std::string_view command, std::string_view stream_mode,
                  const llm_identity& llm) {
  json_writer out;
  out.begin_object()
    .field("session", session)
    .field("messageId", message_id)
    .field("command", command)
    .field("stream_mode", stream_mode)
    .key("llm")
    .begin_object()
    .field("provider", llm.provider)
    .field("model", llm.model)
    .end_object()
    .end_object();
  return out.str();
}

void write_usage(json_writer& out, const usage& u) {
  out.begin_object()
    .field("prompt_tokens", u.prompt_tokens)
    .field("completion_tokens", u.completion_tokens)
    .field("total_tokens", u.total_tokens())
    .field("model_calls", u.model_calls)
    .field("tool_calls", u.tool_calls);
  if (u.priced)
    out.field("cost_usd", u.cost_usd);
  out.end_object();
}

std::string complete(const completion& c) {
  json_writer out;
  out.begin_object()
    .field("result", c.result)
    .field("steps", c.steps)
    .key("usage");
  write_usage(out, c.tokens);
  out.field("duration_ms", c.duration_ms)
    .field("cancelled", c.cancelled)
    .field("stop_reason", c.stop_reason)
    .field("outcome", c.outcome);
  if (!c.output_json.empty())
    out.key("output").raw(c.output_json);
  if (!c.code.empty())
    out.field("code", c.code);
  if (!c.rerun_json.empty())
    out.key("rerun").raw(c.rerun_json);
  out.key("summary")
    .begin_object()
    .field("tokens_streamed", c.tokens_streamed)
    .field("steps_completed", c.steps)
    .field("elapsed_time", static_cast<double>(c.duration_ms) / 1000.0)
    .field("messageId", c.message_id)
    .end_object()
    .end_object();
  return out.str();
}

std::string status(std::string_view state, std::string_view message,
                   std::string_view message_id) {
  json_writer out;
  out.begin_object().field("state", state).field("message", message);
  if (!message_id.empty())
    out.field("messageId", message_id);
  out.end_object();
  return out.str();
}

std::string waiting(std::string_view message_id, std::uint64_t ahead,
                    std::uint64_t running) {
  auto contexts = running == 1 ? std::string{"the one browser context is"}
                               : "all " + std::to_string(running)
                                   + " browser contexts are";
  auto place = ahead == 0 ? std::string{"this run is next"}
                          : std::to_string(ahead)
                              + (ahead == 1 ? " run is" : " runs are")
                              + " ahead of this one";
  json_writer out;
  out.begin_object()
    .field("state", "waiting")
    .field("message", "waiting for a browser context: " + contexts
                        + " in use by running sessions; " + place)
    .field("messageId", message_id)
    .field("ahead", ahead)
    .field("running", running)
    .end_object();
  return out.str();
}

std::string error(std::string_view code, std::string_view message) {
  json_writer out;
  out.begin_object()
    .field("code", code)
    .field("message", message)
    .end_object();
  return out.str();
}

std::string run_error(std::string_view code, std::string_view message,
                      std::string_view message_id, bool final) {
  json_writer out;
  out.begin_object()
    .field("code", code)
    .field("message", message)
    .field("messageId", message_id)
    .field("final", final)
    .end_object();
  return out.str();
}

std::string gap(std::uint64_t from, std::uint64_t to) {
  json_writer out;
  out.begin_object()
    .field("from", from)
    .field("to", to)
    .field("lost", to - from + 1)
    .field("message", "events were trimmed from the session's log before "
                      "they could be replayed")
    .end_object();
  return out.str();
}

} // namespace agenttheo::payload
