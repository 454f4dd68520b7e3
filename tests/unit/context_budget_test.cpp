#define CAF_SUITE context_budget

#include "llm/context_budget.hpp"
#include "llm/conversation.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

chat_message msg(std::string role, std::size_t bytes, std::string tag = {}) {
  chat_message m;
  m.role = std::move(role);
  m.content = tag + std::string(bytes, 'x');
  return m;
}

chat_message calls(std::string id) {
  chat_message m;
  m.role = "assistant";
  m.tool_calls.push_back({std::move(id), "get_page_text", "{}"});
  return m;
}

/// system, then two old turns with one tool output each, then the current
/// turn (user + a tool call + its fresh output).
std::vector<chat_message> conversation() {
  return {msg("system", 400),        msg("user", 40, "first"),
          calls("a"),                msg("tool", 4000, "old-1"),
          msg("assistant", 40),      msg("user", 40, "second"),
          calls("b"),                msg("tool", 4000, "old-2"),
          msg("assistant", 40),      msg("user", 40, "current"),
          calls("c"),                msg("tool", 4000, "fresh")};
}

constexpr std::size_t current_turn = 9;

} // namespace

CAF_TEST(a conversation within budget is untouched) {
  auto messages = conversation();
  auto total = estimate_tokens(messages);
  auto report = fit_to_budget(messages, total, current_turn);
  CAF_CHECK_EQUAL(report.tokens, total);
  CAF_CHECK_EQUAL(report.trimmed_outputs, 0u);
  CAF_CHECK_EQUAL(report.dropped_messages, 0u);
  CAF_CHECK_EQUAL(messages.size(), 12u);
  auto unlimited = fit_to_budget(messages, 0, current_turn);
  CAF_CHECK_EQUAL(unlimited.trimmed_outputs, 0u);
}

CAF_TEST(oldest tool outputs go first) {
  auto messages = conversation();
  auto total = estimate_tokens(messages);
  // Room for everything but one old output.
  auto report = fit_to_budget(messages, total - 500, current_turn);
  CAF_CHECK_EQUAL(report.trimmed_outputs, 1u);
  CAF_CHECK_EQUAL(report.dropped_messages, 0u);
  CAF_CHECK_EQUAL(messages[3].content, trimmed_output_note);
  CAF_CHECK_EQUAL(messages[7].content.substr(0, 5), "old-2");
  CAF_CHECK_EQUAL(messages[11].content.substr(0, 5), "fresh");
  CAF_CHECK_LESS_OR_EQUAL(report.tokens, total - 500);
  CAF_CHECK_EQUAL(report.tokens, estimate_tokens(messages));
}

CAF_TEST(old turns are dropped whole when trimming outputs is not enough) {
  auto messages = conversation();
  // The system prompt and the current turn alone: 1,134 tokens.
  auto report = fit_to_budget(messages, 1'150, current_turn);
  CAF_CHECK_EQUAL(report.trimmed_outputs, 2u);
  CAF_CHECK_EQUAL(report.dropped_messages, 8u);
  CAF_REQUIRE_EQUAL(messages.size(), 4u);
  CAF_CHECK_EQUAL(messages[0].role, "system");
  CAF_CHECK_EQUAL(messages[1].content.substr(0, 7), "current");
  CAF_CHECK_EQUAL(messages[3].content.substr(0, 5), "fresh");
  CAF_CHECK_EQUAL(report.tokens, estimate_tokens(messages));
}

CAF_TEST(the newest output goes last when nothing else is left) {
  auto messages = conversation();
  auto report = fit_to_budget(messages, 200, current_turn);
  CAF_REQUIRE_EQUAL(messages.size(), 4u);
  CAF_CHECK_EQUAL(messages[3].content, trimmed_output_note);
  CAF_CHECK_EQUAL(messages[1].content.substr(0, 7), "current");
  // System prompt and the command stay, even over budget.
  CAF_CHECK_GREATER(report.tokens, 0u);
  CAF_CHECK_EQUAL(report.tokens, estimate_tokens(messages));
}

CAF_TEST(a step cut short leaves no unanswered tool call behind) {
  std::vector<chat_message> run{msg("user", 10), calls("a"), msg("tool", 10)};
  auto two = calls("b");
  two.tool_calls.push_back({"c", "get_title", "{}"});
  run.push_back(two);
  run.push_back(msg("tool", 10, "b-result"));
  drop_unanswered_calls(run);
  CAF_REQUIRE_EQUAL(run.size(), 3u);
  CAF_CHECK_EQUAL(run.back().role, "tool");
  drop_unanswered_calls(run);
  CAF_CHECK_EQUAL(run.size(), 3u);
}

CAF_TEST(the prompt holds earlier runs then the current one) {
  std::vector<chat_message> earlier{msg("user", 10, "before"),
                                    msg("assistant", 10, "answer")};
  std::vector<chat_message> current{msg("user", 10, "now")};
  auto p = build_prompt("be helpful", "http://x/", earlier, current, 0);
  CAF_REQUIRE_EQUAL(p.messages.size(), 4u);
  CAF_CHECK_EQUAL(p.messages[0].role, "system");
  CAF_CHECK_EQUAL(p.messages[0].content,
                  "be helpful\n\nThe browser currently shows http://x/.");
  CAF_CHECK_EQUAL(p.messages[1].content.substr(0, 6), "before");
  CAF_CHECK_EQUAL(p.messages[3].content.substr(0, 3), "now");
  // A budget too small for the history keeps the command.
  auto tight = build_prompt("be helpful", "", earlier, current, 10);
  CAF_REQUIRE_EQUAL(tight.messages.size(), 2u);
  CAF_CHECK_EQUAL(tight.messages[1].content.substr(0, 3), "now");
  CAF_CHECK_EQUAL(tight.budget.dropped_messages, 2u);
}
