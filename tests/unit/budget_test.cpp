#define CAF_SUITE budget

#include "actors/run_budget.hpp"

#include <caf/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <variant>

#include "config/price_table.hpp"
#include "llm/context_budget.hpp"

using namespace agenttheo;
using namespace std::chrono_literals;

namespace {

price_table table_of(std::string_view json) {
  auto parsed = price_table::parse(json);
  if (auto* err = std::get_if<std::string>(&parsed))
    CAF_FAIL("not a table: " << *err);
  return std::get<price_table>(std::move(parsed));
}

std::string error_of(std::string_view json) {
  auto parsed = price_table::parse(json);
  auto* err = std::get_if<std::string>(&parsed);
  return err ? *err : std::string{};
}

} // namespace

CAF_TEST(a price table finds a model by its name with or without its prefix) {
  auto table = table_of(R"({"openai/gpt-4o": {"input_per_mtok": 2.5, "output_per_mtok": 10},
                           "local": {"input_per_mtok": 0, "output_per_mtok": 0, "as_of": "x"}})");
  CAF_CHECK_EQUAL(table.size(), 2u);
  CAF_REQUIRE(table.find("openai/gpt-4o"));
  CAF_REQUIRE(table.find("gpt-4o"));
  CAF_CHECK_EQUAL(table.find("gpt-4o")->input_per_mtok, 2.5);
  CAF_CHECK(table.find("someone/local"));
  CAF_CHECK(!table.find("gpt-4o-mini"));
  CAF_CHECK(!table.find("openai/gpt-4"));
  // 1,000 prompt and 500 completion tokens: 0.0025 + 0.005 dollars.
  CAF_CHECK_LESS(std::abs(table.find("gpt-4o")->cost_usd(1000, 500) - 0.0075), 1e-12);
}

CAF_TEST(a bad price table says what is wrong) {
  CAF_CHECK_NOT_EQUAL(error_of("[]").find("JSON object"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"m": 3})").find("m must be an object"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"m": {"input_per_mtok": 1}})").find("output_per_mtok"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"m": {"input_per_mtok": -1, "output_per_mtok": 1}})")
                        .find("at least 0"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"m": {"input_per_mtok": "1", "output_per_mtok": 1}})"),
                      "");
}

CAF_TEST(the price table that ships parses and prices the common models) {
  std::ifstream in{AGENTTHEO_SOURCE_DIR "/config/llm_prices.json"};
  std::stringstream text;
  text << in.rdbuf();
  auto table = table_of(text.str());
  CAF_CHECK_GREATER_OR_EQUAL(table.size(), 10u);
  for (auto* model : {"gpt-4o-mini", "openai/gpt-4o", "anthropic/claude-sonnet-4",
                      "google/gemini-2.5-flash"})
    CAF_CHECK(table.find(model));
}

CAF_TEST(the tighter limit wins and zero means none) {
  auto limits = tighter({1000, 0, 0ms}, {5000, 0.5, 60s});
  CAF_CHECK_EQUAL(limits.max_tokens, 1000u);
  CAF_CHECK_EQUAL(limits.max_cost_usd, 0.5);
  CAF_CHECK_EQUAL(limits.max_duration.count(), 60'000);
  limits = tighter({9000, 2.0, 90s}, {5000, 0.5, 0ms});
  CAF_CHECK_EQUAL(limits.max_tokens, 5000u);
  CAF_CHECK_EQUAL(limits.max_cost_usd, 0.5);
  CAF_CHECK_EQUAL(limits.max_duration.count(), 90'000);
  limits = tighter({}, {});
  CAF_CHECK_EQUAL(limits.max_tokens, 0u);
  CAF_CHECK_EQUAL(limits.max_cost_usd, 0.0);
}

CAF_TEST(a passed limit is named with what was spent) {
  budget_limits limits{1000, 0.01, 0ms};
  CAF_CHECK(!passed(limits, {1000, 0.01}, "run"));
  auto why = passed(limits, {1204, 0}, "run");
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(*why, "max_tokens: the run used 1,204 tokens; the limit is 1,000");
  why = passed(limits, {10, 0.0125}, "run", budget_moment::before_call);
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(*why, "max_cost_usd: the run would cost $0.0125 with the next model "
                        "call; the limit is $0.0100");
  why = passed({2000, 0, 0ms}, {123456, 0}, "session");
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(*why, "SESSION_MAX_TOKENS: the session's runs used 123,456 tokens; the "
                        "limit is 2,000");
  CAF_CHECK(!passed({}, {1'000'000, 1e6}, "run"));
  CAF_CHECK_EQUAL(duration_passed(90s), "max_duration: the run took longer than 90,000 ms");
}

CAF_TEST(the tools offered count as prompt tokens) {
  std::vector<tool_schema> tools{{"click", "Click an element.", R"({"type":"object"})"}};
  auto one = estimate_tokens(tools);
  CAF_CHECK_GREATER(one, 0u);
  tools.push_back({"type_text", std::string(400, 'x'), "{}"});
  // 400 bytes of description: about 100 tokens more, and the tool's own.
  CAF_CHECK_GREATER_OR_EQUAL(estimate_tokens(tools), one + 100);
  CAF_CHECK_EQUAL(estimate_tokens(std::vector<tool_schema>{}), 0u);
}
