#define CAF_SUITE jsonrpc

#include "protocol/jsonrpc.hpp"

#include <caf/test/unit_test.hpp>

#include <variant>

#include "actors/mcp_resources.hpp"
#include "actors/mcp_tools.hpp"
#include "util/json_reader.hpp"

using namespace agenttheo;

namespace {

jsonrpc_message message_of(std::string_view body) {
  auto parsed = parse_jsonrpc(body);
  if (auto* bad = std::get_if<jsonrpc_failure>(&parsed))
    CAF_FAIL("not a message: " << bad->message);
  return std::get<jsonrpc_message>(std::move(parsed));
}

jsonrpc_failure failure_of(std::string_view body) {
  auto parsed = parse_jsonrpc(body);
  if (!std::holds_alternative<jsonrpc_failure>(parsed))
    CAF_FAIL("parsed: " << body);
  return std::get<jsonrpc_failure>(std::move(parsed));
}

} // namespace

CAF_TEST(requests notifications and responses are told apart) {
  auto req = message_of(R"({"jsonrpc":"2.0","id":"a-1","method":"tools/list"})");
  CAF_CHECK(req.type == jsonrpc_message::kind::request);
  CAF_CHECK_EQUAL(req.id_json, R"("a-1")");
  CAF_CHECK_EQUAL(req.params_json, "{}");
  auto note = message_of(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CAF_CHECK(note.type == jsonrpc_message::kind::notification);
  auto reply = message_of(R"({"jsonrpc":"2.0","id":7,"result":{"action":"accept"}})");
  CAF_CHECK(reply.type == jsonrpc_message::kind::response);
  // A response's result is what the server reads (an elicitation's answer).
  CAF_CHECK_EQUAL(reply.params_json, R"({"action":"accept"})");
  auto refused = message_of(R"({"jsonrpc":"2.0","id":8,"error":{"code":-1,"message":"no"}})");
  CAF_CHECK(refused.type == jsonrpc_message::kind::response);
  CAF_CHECK_EQUAL(refused.params_json, "{}");
  auto with_params = message_of(R"({"jsonrpc":"2.0","id":3,"method":"x","params":{"a":[1]}})");
  CAF_CHECK_EQUAL(with_params.params_json, R"({"a":[1]})");
}

CAF_TEST(malformed messages get the specification codes and keep their id) {
  CAF_CHECK_EQUAL(failure_of("{nope").code, jsonrpc_code::parse_error);
  CAF_CHECK_EQUAL(failure_of("\xff").code, jsonrpc_code::parse_error);
  CAF_CHECK_EQUAL(failure_of(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])").code,
                  jsonrpc_code::invalid_request);
  auto version = failure_of(R"({"jsonrpc":"1.0","id":4,"method":"ping"})");
  CAF_CHECK_EQUAL(version.code, jsonrpc_code::invalid_request);
  CAF_CHECK_EQUAL(version.id_json, "4");
  CAF_CHECK_EQUAL(failure_of(R"({"jsonrpc":"2.0","id":null,"method":"ping"})").code,
                  jsonrpc_code::invalid_request);
  CAF_CHECK_EQUAL(failure_of(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})").code,
                  jsonrpc_code::invalid_request);
  auto params = failure_of(R"({"jsonrpc":"2.0","id":"p","method":"x","params":[1]})");
  CAF_CHECK_EQUAL(params.code, jsonrpc_code::invalid_params);
  CAF_CHECK_EQUAL(params.id_json, R"("p")");
}

CAF_TEST(answers are JSON-RPC 2.0 objects) {
  CAF_CHECK_EQUAL(jsonrpc_result("7", "{}"), R"({"jsonrpc":"2.0","id":7,"result":{}})");
  CAF_CHECK_EQUAL(jsonrpc_error(R"("a")", -32601, "method not found: x"),
                  R"({"jsonrpc":"2.0","id":"a","error":{"code":-32601,)"
                  R"("message":"method not found: x"}})");
}

CAF_TEST(mcp tools are the page tools under a prefix) {
  CAF_CHECK_EQUAL(page_tool_of("browser_click").value_or("none"), "click");
  CAF_CHECK(!page_tool_of("click"));
  CAF_CHECK(!page_tool_of("browser_ask_user"));
  CAF_CHECK(!page_tool_of("browser_nope"));
  json_document doc{mcp_tools_list_json()};
  const auto* tools = json_reader{doc}.array("tools");
  CAF_REQUIRE(tools != nullptr);
  CAF_CHECK_GREATER(tools->Size(), 20u);
  for (const auto& tool : tools->GetArray()) {
    json_reader t{tool};
    auto name = t.text("name");
    CAF_REQUIRE(name);
    CAF_CHECK(*name == mcp_run_agent || *name == mcp_list_sessions
              || *name == mcp_get_run_events || page_tool_of(*name));
  }
}

CAF_TEST(resource uris name a run or a session screenshot and nothing else) {
  auto run = parse_mcp_resource_uri("agenttheo://runs/m-1");
  CAF_REQUIRE(run);
  CAF_CHECK(run->type == mcp_resource_uri::kind::run);
  CAF_CHECK_EQUAL(run->id, "m-1");
  auto shot = parse_mcp_resource_uri("agenttheo://sessions/s-9/screenshot");
  CAF_REQUIRE(shot);
  CAF_CHECK(shot->type == mcp_resource_uri::kind::screenshot);
  CAF_CHECK_EQUAL(shot->id, "s-9");
  for (auto bad : {"agenttheo://runs/", "agenttheo://runs/a/b", "agenttheo://sessions//screenshot",
                   "agenttheo://sessions/s-9", "file:///etc/passwd", "agenttheo://runs/%2e%2e"})
    CAF_CHECK(!parse_mcp_resource_uri(bad));
}
