#define CAF_SUITE budget

#include "config/price_table.hpp"

#include <caf/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <variant>

using namespace agenttheo;

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
