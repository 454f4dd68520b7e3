#define CAF_SUITE offline_planner

#include "llm/offline_planner.hpp"

#include <numeric>

#include <caf/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace agenttheo;
using namespace agenttheo::offline_planner;

namespace {

std::string arg(const planned_step& step, const char* name) {
  rapidjson::Document doc;
  doc.Parse(step.arguments_json.c_str());
  CAF_REQUIRE(!doc.HasParseError() && doc.IsObject());
  if (!doc.HasMember(name))
    return "<missing>";
  return doc[name].GetString();
}

} // namespace

CAF_TEST(tokens concatenate back to the text) {
  std::string text = "Hello  world,\nthis is   AgentTheo. ";
  auto tokens = split_tokens(text);
  CAF_CHECK_EQUAL(tokens.size(), 5u);
  CAF_CHECK_EQUAL(tokens.front(), "Hello  ");
  CAF_CHECK_EQUAL(std::accumulate(tokens.begin(), tokens.end(), std::string{}),
                  text);
  CAF_CHECK(split_tokens("").empty());
}

CAF_TEST(steps split on then and semicolons and and then) {
  auto p = parse_command("Go to example.com then click Login; type \"bob\" into "
                         "#user, then press Enter and then read the title");
  CAF_REQUIRE_EQUAL(p.steps.size(), 5u);
  CAF_CHECK(p.not_understood.empty());
  CAF_CHECK_EQUAL(p.steps[0].tool, "navigate_to");
  CAF_CHECK_EQUAL(arg(p.steps[0], "url"), "https://example.com");
  CAF_CHECK_EQUAL(p.steps[1].tool, "click");
  CAF_CHECK_EQUAL(arg(p.steps[1], "target"), "Login");
  CAF_CHECK_EQUAL(p.steps[2].tool, "type_text");
  CAF_CHECK_EQUAL(arg(p.steps[2], "text"), "bob");
  CAF_CHECK_EQUAL(arg(p.steps[2], "target"), "#user");
  CAF_CHECK_EQUAL(p.steps[3].tool, "press_key");
  CAF_CHECK_EQUAL(arg(p.steps[3], "key"), "Enter");
  CAF_CHECK_EQUAL(p.steps[4].tool, "get_title");
}

CAF_TEST(every phrase of the grammar maps to its tool) {
  struct row {
    const char* command;
    const char* tool;
  };
  row rows[] = {
    {"open http://localhost:8080/a", "navigate_to"},
    {"visit news.example.org", "navigate_to"},
    {"navigate to example.com", "navigate_to"},
    {"click on the Submit button", "click"},
    {"fill the search box with cats", "type_text"},
    {"press Tab", "press_key"},
    {"scroll down", "scroll"},
    {"scroll up", "scroll"},
    {"go back", "go_back"},
    {"reload", "reload"},
    {"what is the title", "get_title"},
    {"read the page", "get_page_text"},
    {"extract the text", "get_page_text"},
    {"list the links", "get_links"},
    {"take a screenshot", "take_screenshot"},
    {"wait for Results", "wait_for"},
  };
  for (auto& r : rows) {
    auto p = parse_command(r.command);
    CAF_REQUIRE_EQUAL(p.steps.size(), 1u);
    CAF_CHECK_EQUAL(p.steps[0].tool, r.tool);
  }
  auto kept = parse_command("open http://localhost:8080/a");
  CAF_CHECK_EQUAL(arg(kept.steps[0], "url"), "http://localhost:8080/a");
  auto fill = parse_command("fill the search box with cats");
  CAF_CHECK_EQUAL(arg(fill.steps[0], "target"), "the search box");
  CAF_CHECK_EQUAL(arg(fill.steps[0], "text"), "cats");
}

CAF_TEST(turns walk the steps and answer from the results) {
  auto cmd = "go to example.com then read the title";
  auto first = next_turn(cmd, {});
  CAF_REQUIRE_EQUAL(first.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(first.tool_calls[0].name, "navigate_to");
  CAF_CHECK_EQUAL(first.tool_calls[0].id, "call_planner_1");
  CAF_CHECK_NOT_EQUAL(first.text.find("https://example.com"), std::string::npos);
  auto second = next_turn(cmd, {"navigated"});
  CAF_REQUIRE_EQUAL(second.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(second.tool_calls[0].name, "get_title");
  auto last = next_turn(cmd, {"navigated", "Example Domain"});
  CAF_CHECK(last.tool_calls.empty());
  CAF_CHECK_EQUAL(last.text, "The page title is: Example Domain");
  auto links = next_turn("list the links", {"a\nb"});
  CAF_CHECK_EQUAL(links.text, "The links on the page:\na\nb");
  auto failed = next_turn(cmd, {"error: refused: the file: scheme is not allowed"});
  CAF_CHECK(failed.tool_calls.empty());
  CAF_CHECK_EQUAL(failed.text, "I could not finish: navigate_to failed: refused: "
                               "the file: scheme is not allowed");
  auto long_text = next_turn("read the page", {std::string(5000, 'x')});
  CAF_CHECK_LESS(long_text.text.size(), 2100u);
}

CAF_TEST(it asks the user and answers with what they said) {
  auto cmd = "ask me which size to buy then go to example.com";
  auto ask = next_turn(cmd, {});
  CAF_REQUIRE_EQUAL(ask.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(ask.tool_calls[0].name, "ask_user");
  CAF_CHECK_EQUAL(ask.tool_calls[0].arguments, R"({"question":"which size to buy"})");
  auto answered = next_turn("ask me which size to buy", {"medium"});
  CAF_CHECK_EQUAL(answered.text, "You answered: medium");
  // A rejected step ends the plan; the rest does not run.
  auto stopped = next_turn(cmd, {"the user rejected this action: not now"});
  CAF_CHECK(stopped.tool_calls.empty());
  CAF_CHECK_EQUAL(stopped.text, "I stopped there: the user rejected this action: not now.");
  auto takeover = parse_command("let me take over to log in");
  CAF_REQUIRE_EQUAL(takeover.steps.size(), 1u);
  CAF_CHECK_EQUAL(takeover.steps[0].tool, "request_takeover");
  CAF_CHECK_EQUAL(arg(takeover.steps[0], "reason"), "to log in");
}

CAF_TEST(with an output schema it finishes through done filled from what it read) {
  auto cmd = "go to example.com then read the title";
  auto schema = R"({"type":"object","properties":{"title":{"type":"string"},)"
                R"("url":{"type":"string"},"tags":{"type":"array"},"n":{"type":"integer"}}})";
  auto last = next_turn(cmd, {"opened", "Example Domain"}, schema);
  CAF_REQUIRE_EQUAL(last.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(last.tool_calls[0].name, "done");
  CAF_CHECK_EQUAL(last.tool_calls[0].arguments,
                  R"({"output":{"title":"Example Domain","url":"https://example.com",)"
                  R"("tags":[],"n":0}})");
  // Before the plan is done, its steps come first, as ever.
  CAF_CHECK_EQUAL(next_turn(cmd, {"opened"}, schema).tool_calls.at(0).name, "get_title");
  auto plain = next_turn(cmd, {"opened", "Example Domain"}, R"({"type":"string"})");
  CAF_CHECK_EQUAL(plain.tool_calls.at(0).arguments,
                  R"({"output":"The page title is: Example Domain"})");
}

CAF_TEST(what it does not understand gets the list of what it can do) {
  auto a = reply_to("book me a flight");
  CAF_CHECK_EQUAL(a, reply_to("book me a flight"));
  CAF_CHECK_NOT_EQUAL(a.find("offline planner"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("\"book me a flight\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("go to <url>"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(a.find("config/.env"), std::string::npos);
  auto partly = next_turn("go to example.com then book a flight", {});
  CAF_CHECK(partly.tool_calls.empty());
  CAF_CHECK_NOT_EQUAL(partly.text.find("\"book a flight\""), std::string::npos);
  auto hello = reply_to("Hello!");
  CAF_CHECK_EQUAL(hello.rfind("Hello!", 0), 0u);
  CAF_CHECK_EQUAL(hello.find("did not understand"), std::string::npos);
}

CAF_TEST(a bare local host or a port means plain http) {
  auto url_of = [](const char* command) {
    auto p = parse_command(command);
    CAF_REQUIRE_EQUAL(p.steps.size(), 1u);
    return arg(p.steps[0], "url");
  };
  CAF_CHECK_EQUAL(url_of("go to localhost:8000/demo/"),
                  "http://localhost:8000/demo/");
  CAF_CHECK_EQUAL(url_of("go to 127.0.0.1/demo/"), "http://127.0.0.1/demo/");
  CAF_CHECK_EQUAL(url_of("open example.com:8080"), "http://example.com:8080");
  CAF_CHECK_EQUAL(url_of("go to example.com/a:b"), "https://example.com/a:b");
  CAF_CHECK_EQUAL(url_of("visit example.com"), "https://example.com");
  CAF_CHECK_EQUAL(url_of("go to https://example.com"), "https://example.com");
}

CAF_TEST(words with spaces are not an address) {
  auto p = parse_command("open the demo shop and find the watering can");
  CAF_CHECK(p.steps.empty());
  CAF_REQUIRE_EQUAL(p.not_understood.size(), 1u);
  CAF_CHECK_EQUAL(p.not_understood[0],
                  "open the demo shop and find the watering can");
}

CAF_TEST(an empty title is said as such and never as an empty answer) {
  auto done = next_turn("read the title", {""});
  CAF_CHECK(done.tool_calls.empty());
  CAF_CHECK_EQUAL(done.text, "The page has no title.");
  CAF_CHECK_EQUAL(next_turn("read the title", {"Shop"}).text,
                  "The page title is: Shop");
}

CAF_TEST(a note the session adds does not start the plan over) {
  std::vector<chat_message> messages{
    {"system", "You are AgentTheo", {}, {}},
    {"user", "go to a then go to a", {}, {}},   // an earlier run, same command
    {"tool", "opened a (earlier run)", {}, "c0"},
    {"user", "go to a then go to a", {}, {}},   // this run
    {"tool", "opened a", {}, "c1"},
    {"user", "You are repeating yourself: ...", {}, {}},
    {"tool", "opened a again", {}, "c2"}};
  auto results = results_since_command(messages, "go to a then go to a");
  CAF_CHECK_EQUAL(results.size(), 2u);
  CAF_CHECK_EQUAL(results.front(), "opened a");
  CAF_CHECK(results_since_command(messages, "another command").size() == 3u);
}
