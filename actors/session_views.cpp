#include "actors/session_views.hpp"

#include <algorithm>

#include "messages/api_error.hpp"
#include "messages/messages.hpp"
#include "store/artifact_folder.hpp"
#include "store/run_frames.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

void write_message(json_writer& out, const chat_message& m) {
  out.begin_object().field("role", m.role).field("content", m.content);
  payload::write_tool_calls(out, m.tool_calls);
  if (!m.tool_call_id.empty())
    out.field("tool_call_id", m.tool_call_id);
  out.end_object();
}

/// Where a run is, in the words of its `status` events: `waiting_for_human`
/// while an interrupt of it is pending, `paused` while held.
std::string_view run_status(const session_state& st, const run_record& run) {
  if (run.phase != run_phase::running)
    return to_string(run.phase);
  if (waits_for_person(st, run))
    return "waiting_for_human";
  return run.paused ? "paused" : "running";
}

void write_run(json_writer& out, const session_state& st, const run_record& run) {
  out.begin_object()
    .field("messageId", run.message_id)
    .field("command", run.command)
    .field("state", to_string(run.phase))
    .field("status", run_status(st, run))
    .field("outcome", to_string(run.outcome))
    .field("result", run.result)
    .field("steps", run.step)
    .field("max_steps", run.max_steps)
    .field("first_event_id", run.first_id)
    .field("last_event_id", run.last_id)
    .field("created_at", run.created_at_ms)
    .field("ended_at", run.ended_at_ms)
    .key("usage");
  payload::write_usage(out, run.usage);
  out.end_object();
}

} // namespace

std::string agent_update_json(const chat_message& added,
                              const budget_report& context) {
  json_writer out;
  out.begin_object().key("messages").begin_array();
  write_message(out, added);
  out.end_array()
    .key("context")
    .begin_object()
    .field("estimated_tokens", context.tokens)
    .field("trimmed_outputs", context.trimmed_outputs)
    .field("dropped_messages", context.dropped_messages)
    .field("dropped_images", context.dropped_images)
    .end_object()
    .field("finished", added.tool_calls.empty())
    .end_object();
  return out.str();
}

std::string tools_update_json(const std::vector<tool_finished>& results,
                              std::string_view page_url) {
  json_writer out;
  out.begin_object().key("messages").begin_array();
  for (const auto& r : results)
    out.begin_object()
      .field("role", "tool")
      .field("tool_call_id", r.call_id)
      .field("name", r.name)
      .field("ok", r.ok)
      .field("content", r.output)
      .end_object();
  out.end_array().field("url", page_url).end_object();
  return out.str();
}

std::string describe_json(const session_state& st) {
  std::string state = st.stopping ? "stopping" : "idle";
  for (const auto& run : st.runs)
    if (run.phase == run_phase::running)
      state = "running";
  json_writer out;
  out.begin_object()
    .field("id", st.id)
    .field("title", st.title)
    .field("state", state)
    .field("created_at", st.created_at_ms)
    .field("page_url", st.page_url)
    .field("subscribers", static_cast<std::uint64_t>(st.subscribers.size()))
    .key("queue")
    .begin_array();
  for (const auto& id : st.queue)
    out.value(id);
  out.end_array().key("conversation").begin_array();
  for (const auto& m : st.conversation)
    write_message(out, m);
  out.end_array()
    .key("context")
    .begin_object()
    .field("budget", st.settings.context_budget)
    .field("estimated_tokens", estimate_tokens(st.conversation))
    .end_object()
    .key("usage");
  payload::write_usage(out, st.usage);
  out.key("secrets");
  st.secrets.write_list(out);
  out.key("runs")
    .begin_array();
  for (const auto& run : st.runs)
    write_run(out, st, run);
  out.end_array()
    .key("pending_interrupts")
    .raw(pending_interrupts_json(st))
    .key("control")
    .begin_object()
    .field("holder", st.control.user ? "user" : "agent")
    .field("by", st.control.by)
    .end_object()
    .end_object();
  return out.str();
}

bool waits_for_person(const session_state& st, const run_record& run) {
  return std::any_of(st.interrupts.begin(), st.interrupts.end(),
                     [&](const interrupt_entry& e) { return e.pending_for(run); });
}

std::string pending_interrupts_json(const session_state& st) {
  std::string out = "[";
  for (const auto& entry : st.interrupts)
    if (!entry.record.resolved)
      out += (out.size() > 1 ? "," : "") + interrupt_json(entry.record);
  return out + "]";
}

std::string run_events_json(const session_state& st, const run_record& run,
                            std::uint64_t after_id) {
  auto plan = plan_replay(st.log, {run.message_id, run.first_id, run.last_id},
                          after_id, all_modes);
  json_writer out;
  out.begin_object()
    .field("session", st.id)
    .field("messageId", run.message_id)
    .field("state", to_string(run.phase))
    .field("outcome", to_string(run.outcome))
    .field("last_event_id", run.last_id)
    .key("gap");
  if (plan.lost)
    out.begin_object()
      .field("from", plan.lost->first)
      .field("to", plan.lost->second)
      .end_object();
  else
    out.null();
  out.key("events").begin_array();
  for (const auto& ev : plan.events)
    out.raw(ev->envelope());
  out.end_array().end_object();
  return out.str();
}

std::optional<run_frames> frames_of(const session_state& st, const run_record& run) {
  auto files = artifact_folder::of(st.settings.page.artifacts_dir, st.id);
  return files ? run_frames::of(files->path(), run.message_id) : std::nullopt;
}

api_reply run_frames_reply(const session_state& st, const run_record& run,
                           std::uint64_t frame_id) {
  auto frames = frames_of(st, run);
  if (frame_id != 0) {
    auto jpeg = frames ? frames->read(frame_id) : std::nullopt;
    if (!jpeg)
      return error_reply(api_error::of(
        api_code::unknown_frame, "run " + run.message_id + " has no frame "
                                   + std::to_string(frame_id)));
    return {200, std::move(*jpeg), 0, "image/jpeg"};
  }
  auto base = "/api/runs/" + run.message_id + "/frames/";
  json_writer out;
  out.begin_object()
    .field("session", st.id)
    .field("messageId", run.message_id)
    .field("state", to_string(run.phase))
    .field("recording", st.settings.page.record)
    .key("frames")
    .begin_array();
  std::uint64_t bytes = 0;
  for (const auto& frame : frames ? frames->list() : std::vector<frame_entry>{}) {
    bytes += frame.bytes;
    out.begin_object()
      .field("id", frame.id)
      .field("ts", frame.ts)
      .field("width", static_cast<std::uint64_t>(frame.width))
      .field("height", static_cast<std::uint64_t>(frame.height))
      .field("bytes", frame.bytes)
      .field("url", base + std::to_string(frame.id))
      .end_object();
  }
  out.end_array().field("bytes", bytes).end_object();
  return {200, out.str()};
}

std::string cancel_reply_json(std::string_view session,
                              std::string_view cancelled_message_id) {
  json_writer out;
  out.begin_object().field("session", session).key("cancelled");
  if (cancelled_message_id.empty())
    out.null();
  else
    out.value(cancelled_message_id);
  out.end_object();
  return out.str();
}

std::string delete_reply_json(std::string_view session,
                              const std::vector<std::string>& ended) {
  json_writer out;
  out.begin_object().field("deleted", session).key("cancelled").begin_array();
  for (const auto& id : ended)
    out.value(id);
  out.end_array().end_object();
  return out.str();
}

} // namespace agenttheo
