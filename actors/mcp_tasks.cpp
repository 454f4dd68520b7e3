#include "actors/mcp_tasks.hpp"

#include <cstdio>
#include <ctime>

#include "util/clock.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

std::string_view mcp_task_status(std::string_view state, std::string_view status,
                                 std::string_view outcome) {
  if (state != "finished")
    return status == "waiting_for_human" ? "input_required" : "working";
  if (outcome == "complete")
    return "completed";
  if (outcome == "cancelled")
    return "cancelled";
  // max_steps, failed: the call's result says so with isError, and the
  // specification counts a tool result with isError as a failed task.
  return "failed";
}

bool is_terminal_task_status(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

std::string iso8601_utc(std::int64_t unix_ms) {
  auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return std::string{text, n} + millis;
}

std::string mcp_task_json(const mcp_task& task, std::string_view status,
                          std::string_view status_message, std::int64_t updated_ms) {
  json_writer out;
  out.begin_object()
    .field("taskId", task.task_id)
    .field("status", status);
  if (!status_message.empty())
    out.field("statusMessage", status_message);
  out.field("createdAt", iso8601_utc(task.created_ms))
    .field("lastUpdatedAt", iso8601_utc(updated_ms > 0 ? updated_ms : task.created_ms))
    .key("ttl");
  if (task.ttl_ms > 0)
    out.value(task.ttl_ms);
  else
    out.null();
  out.field("pollInterval", mcp_task_poll_ms).end_object();
  return out.str();
}

namespace {

mcp_task_view view_in(const json_document& session, const mcp_task& task) {
  if (const auto* runs = json_reader{session}.array("runs"))
    for (const auto& run : runs->GetArray()) {
      json_reader r{run};
      if (r.text("messageId") != task.task_id)
        continue;
      mcp_task_view view;
      view.status = mcp_task_status(r.text("state").value_or(""),
                                    r.text("status").value_or(""),
                                    r.text("outcome").value_or(""));
      auto ended = r.integer("ended_at").value_or(0);
      view.updated_ms = ended > 0 ? ended : unix_millis();
      if (view.status == "working")
        view.message = "step " + std::to_string(r.count("steps").value_or(0));
      else if (view.status == "input_required")
        view.message = "the run waits for a person's decision (elicitation)";
      else
        view.message = std::string{r.text("result").value_or("")}.substr(0, 300);
      return view;
    }
  return {"failed", "the session keeps this run no longer", task.created_ms};
}

} // namespace

mcp_task_view mcp_task_view_of(const std::string& session_json, const mcp_task& task) {
  return view_in(json_document{session_json}, task);
}

std::string mcp_task_list_json(const std::string& session_json,
                               const std::map<std::string, mcp_task>& tasks) {
  json_document session{session_json};
  json_writer out;
  out.begin_object().key("tasks").begin_array();
  for (const auto& [id, task] : tasks) {
    auto view = view_in(session, task);
    out.raw(mcp_task_json(task, view.status, view.message, view.updated_ms));
  }
  out.end_array().end_object();
  return out.str();
}

} // namespace agenttheo
