#define CAF_SUITE mcp_tasks

#include "actors/mcp_tasks.hpp"

#include <caf/test/unit_test.hpp>

#include "util/json_reader.hpp"

using namespace agenttheo;

CAF_TEST(a task status follows its run) {
  CAF_CHECK_EQUAL(mcp_task_status("queued", "queued", ""), "working");
  CAF_CHECK_EQUAL(mcp_task_status("running", "running", ""), "working");
  CAF_CHECK_EQUAL(mcp_task_status("running", "paused", ""), "working");
  CAF_CHECK_EQUAL(mcp_task_status("running", "waiting_for_human", ""), "input_required");
  CAF_CHECK_EQUAL(mcp_task_status("finished", "finished", "complete"), "completed");
  CAF_CHECK_EQUAL(mcp_task_status("finished", "finished", "cancelled"), "cancelled");
  // The tool result of these is an error: the task failed.
  CAF_CHECK_EQUAL(mcp_task_status("finished", "finished", "max_steps"), "failed");
  CAF_CHECK_EQUAL(mcp_task_status("finished", "finished", "failed"), "failed");
  CAF_CHECK(is_terminal_task_status("completed"));
  CAF_CHECK(is_terminal_task_status("failed"));
  CAF_CHECK(is_terminal_task_status("cancelled"));
  CAF_CHECK(!is_terminal_task_status("working"));
  CAF_CHECK(!is_terminal_task_status("input_required"));
}

CAF_TEST(times are ISO 8601 in UTC with milliseconds) {
  CAF_CHECK_EQUAL(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(iso8601_utc(1'796'251'545'123), "2026-12-02T22:45:45.123Z");
}

CAF_TEST(the task object has the fields the specification names) {
  mcp_task task{"mcp-run-1", 1'796'251'545'000, 0};
  auto json = mcp_task_json(task, "working", "step 2", 1'796'251'546'500);
  json_document doc{json};
  json_reader r{doc};
  CAF_CHECK_EQUAL(r.text("taskId").value_or(""), "mcp-run-1");
  CAF_CHECK_EQUAL(r.text("status").value_or(""), "working");
  CAF_CHECK_EQUAL(r.text("statusMessage").value_or(""), "step 2");
  CAF_CHECK_EQUAL(r.text("createdAt").value_or(""), "2026-12-02T22:45:45.000Z");
  CAF_CHECK_EQUAL(r.text("lastUpdatedAt").value_or(""), "2026-12-02T22:45:46.500Z");
  // No ttl asked: kept as long as the session keeps the run.
  CAF_CHECK(json.find(R"("ttl":null)") != std::string::npos);
  CAF_CHECK_EQUAL(r.integer("pollInterval").value_or(0), mcp_task_poll_ms);
  task.ttl_ms = 60'000;
  json_document kept{mcp_task_json(task, "completed", "", 0)};
  json_reader k{kept};
  CAF_CHECK_EQUAL(k.integer("ttl").value_or(0), 60'000);
  CAF_CHECK(k.any("statusMessage") == nullptr);
  CAF_CHECK_EQUAL(k.text("lastUpdatedAt").value_or(""), "2026-12-02T22:45:45.000Z");
}

CAF_TEST(a task is read from the description of its session) {
  constexpr std::string_view session = R"({"id":"s1","runs":[)"
    R"({"messageId":"mcp-run-1","state":"running","status":"waiting_for_human",)"
    R"("outcome":"","result":"","steps":2,"ended_at":0},)"
    R"({"messageId":"mcp-run-2","state":"finished","status":"finished",)"
    R"("outcome":"complete","result":"The title is Page One","steps":2,)"
    R"("ended_at":1796251546000}]})";
  mcp_task waiting{"mcp-run-1", 1'796'251'545'000, 0};
  mcp_task done{"mcp-run-2", 1'796'251'545'000, 0};
  mcp_task gone{"mcp-run-3", 1'796'251'545'000, 0};
  auto w = mcp_task_view_of(std::string{session}, waiting);
  CAF_CHECK_EQUAL(w.status, "input_required");
  auto d = mcp_task_view_of(std::string{session}, done);
  CAF_CHECK_EQUAL(d.status, "completed");
  CAF_CHECK_EQUAL(d.message, "The title is Page One");
  CAF_CHECK_EQUAL(d.updated_ms, 1'796'251'546'000);
  auto g = mcp_task_view_of(std::string{session}, gone);
  CAF_CHECK_EQUAL(g.status, "failed");
  CAF_CHECK_EQUAL(g.message, "the session keeps this run no longer");
  std::map<std::string, mcp_task> tasks{{"mcp-run-1", waiting}, {"mcp-run-2", done}};
  json_document listed{mcp_task_list_json(std::string{session}, tasks)};
  const auto* list = json_reader{listed}.array("tasks");
  CAF_REQUIRE(list != nullptr);
  CAF_REQUIRE_EQUAL(list->Size(), 2u);
  CAF_CHECK_EQUAL(json_reader{(*list)[0]}.text("status").value_or(""), "input_required");
  CAF_CHECK_EQUAL(json_reader{(*list)[1]}.text("status").value_or(""), "completed");
}
