#define CAF_SUITE offline_planner

#include "llm/offline_planner.hpp"

#include <numeric>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(tokens concatenate back to the text) {
  std::string text = "Hello  world,\nthis is   AgentTheo. ";
  auto tokens = offline_planner::split_tokens(text);
  CAF_CHECK_EQUAL(tokens.size(), 5u);
  CAF_CHECK_EQUAL(tokens.front(), "Hello  ");
  CAF_CHECK_EQUAL(std::accumulate(tokens.begin(), tokens.end(), std::string{}),
                  text);
  CAF_CHECK(offline_planner::split_tokens("").empty());
}

CAF_TEST(the reply is deterministic and says what the planner is) {
  auto a = offline_planner::reply_to("book me a flight");
  CAF_CHECK_EQUAL(a, offline_planner::reply_to("book me a flight"));
  CAF_CHECK_NOT_EQUAL(a.find("offline planner"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("\"book me a flight\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("go to <url>"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("config/.env"), std::string::npos);
  auto hello = offline_planner::reply_to("Hello!");
  CAF_CHECK_EQUAL(hello.rfind("Hello!", 0), 0u);
  CAF_CHECK_EQUAL(hello.find("found no command"), std::string::npos);
}
