#define CAF_SUITE mcp_elicitation

#include "actors/mcp_elicitation.hpp"

#include <caf/test/unit_test.hpp>

#include <variant>

#include "messages/interrupt.hpp"
#include "protocol/jsonrpc.hpp"
#include "util/json_reader.hpp"

using namespace agenttheo;

namespace {

constexpr std::string_view approval = R"({"interrupt_id":"int-7","kind":"approval",)"
  R"("messageId":"m1","step":1,"tool_name":"navigate_to","tool_input":{"url":"x"},)"
  R"("rule":"navigate","reason":"The agent wants to open http://127.0.0.1:9/",)"
  R"("options":["approve","reject","edit"],"expires_at":1})";

constexpr std::string_view question = R"({"interrupt_id":"int-8","kind":"question",)"
  R"("messageId":"m1","step":2,"tool_name":"ask_user","question":"Which size?",)"
  R"("choices":["S","M"],"options":["answer","reject"],"expires_at":1})";

jsonrpc_message request_of(std::string_view interrupt, std::string_view task = {}) {
  auto json = mcp_elicitation_request(interrupt, task);
  CAF_REQUIRE(json.has_value());
  auto parsed = parse_jsonrpc(*json);
  CAF_REQUIRE(std::holds_alternative<jsonrpc_message>(parsed));
  return std::get<jsonrpc_message>(parsed);
}

/// The interrupts API's own reading of a decision body.
interrupt_answer answer_of(const std::string& body) {
  auto parsed = parse_interrupt_answer(body);
  CAF_REQUIRE(std::holds_alternative<interrupt_answer>(parsed));
  return std::get<interrupt_answer>(parsed);
}

} // namespace

CAF_TEST(an approval asks for a yes or no about the tool) {
  auto msg = request_of(approval);
  CAF_CHECK(msg.type == jsonrpc_message::kind::request);
  CAF_CHECK_EQUAL(msg.method, "elicitation/create");
  CAF_CHECK_EQUAL(msg.id_json, R"("elicit:approval:int-7")");
  json_document doc{msg.params_json};
  json_reader p{doc};
  CAF_CHECK_EQUAL(p.text("message").value_or(""),
                  "The agent wants to open http://127.0.0.1:9/");
  auto schema = p.object("requestedSchema");
  CAF_CHECK_EQUAL(schema.object("properties").object("approve").text("type").value_or(""),
                  "boolean");
  CAF_CHECK(p.object("_meta").any("io.modelcontextprotocol/related-task") == nullptr);
}

CAF_TEST(a question asks for its answer and names the suggestions) {
  auto msg = request_of(question, "mcp-run-3");
  json_document doc{msg.params_json};
  json_reader p{doc};
  CAF_CHECK_EQUAL(p.text("message").value_or(""), "Which size?");
  auto answer = p.object("requestedSchema").object("properties").object("answer");
  CAF_CHECK_EQUAL(answer.text("type").value_or(""), "string");
  CAF_CHECK_EQUAL(answer.text("description").value_or(""), "Your answer (suggested: S; M)");
  CAF_CHECK_EQUAL(p.object("_meta")
                    .object("io.modelcontextprotocol/related-task")
                    .text("taskId")
                    .value_or(""),
                  "mcp-run-3");
}

CAF_TEST(a takeover is not asked) {
  CAF_CHECK(!mcp_elicitation_request(R"({"interrupt_id":"int-9","kind":"takeover"})", ""));
  CAF_CHECK(!mcp_elicitation_request("not json", ""));
}

CAF_TEST(the answer of the user decides the interrupt as the API would) {
  auto approved = mcp_elicitation_decision(R"("elicit:approval:int-7")",
                                           R"({"action":"accept","content":{"approve":true}})");
  CAF_REQUIRE(approved.has_value());
  CAF_CHECK_EQUAL(approved->interrupt_id, "int-7");
  CAF_CHECK_EQUAL(answer_of(approved->body_json).decision, "approve");

  auto refused = mcp_elicitation_decision(
    R"("elicit:approval:int-7")",
    R"({"action":"accept","content":{"approve":false,"message":"not that site"}})");
  CAF_REQUIRE(refused.has_value());
  auto no = answer_of(refused->body_json);
  CAF_CHECK_EQUAL(no.decision, "reject");
  CAF_CHECK_EQUAL(no.message, "not that site");

  auto answered = mcp_elicitation_decision(R"("elicit:question:int-8")",
                                           R"({"action":"accept","content":{"answer":"M"}})");
  CAF_REQUIRE(answered.has_value());
  auto a = answer_of(answered->body_json);
  CAF_CHECK_EQUAL(a.decision, "answer");
  CAF_CHECK_EQUAL(a.answer, "M");

  auto declined = mcp_elicitation_decision(R"("elicit:question:int-8")",
                                           R"({"action":"decline"})");
  CAF_REQUIRE(declined.has_value());
  CAF_CHECK_EQUAL(answer_of(declined->body_json).decision, "reject");
}

CAF_TEST(a dismissed request or another response decides nothing) {
  CAF_CHECK(!mcp_elicitation_decision(R"("elicit:question:int-8")", R"({"action":"cancel"})"));
  CAF_CHECK(!mcp_elicitation_decision(R"(7)", R"({"action":"accept"})"));
  CAF_CHECK(!mcp_elicitation_decision(R"("other:1")", R"({"action":"accept"})"));
  CAF_CHECK(!mcp_elicitation_decision(R"("elicit:approval:int-7")", "{}"));
}
