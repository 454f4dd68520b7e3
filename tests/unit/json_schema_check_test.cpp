#define CAF_SUITE json_schema_check

#include "util/json_schema_check.hpp"

#include <caf/test/unit_test.hpp>

#include "actors/page_tools.hpp"

using namespace agenttheo;

namespace {

const std::string& schema_of(std::string_view tool) {
  return find_page_tool(tool)->parameters;
}

} // namespace

CAF_TEST(an input that fits the tool schema passes) {
  CAF_CHECK(!schema_mismatch(schema_of("navigate_to"), R"({"url":"http://a/"})"));
  CAF_CHECK(!schema_mismatch(schema_of("type_text"),
                             R"({"target":"#q","text":"x","submit":true})"));
  CAF_CHECK(!schema_mismatch(schema_of("scroll"), R"({"direction":"up","amount":3})"));
  CAF_CHECK(!schema_mismatch(schema_of("go_back"), "{}"));
}

CAF_TEST(each kind of misfit is named with its path) {
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("navigate_to"), R"({"url":5})"),
                  std::string{"url: expected a string"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("navigate_to"), "{}"),
                  std::string{"url: required"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("navigate_to"),
                                  R"({"url":"http://a/","also":1})"),
                  std::string{"also: not a parameter of this tool"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("scroll"), R"({"direction":"left"})"),
                  std::string{R"(direction: not one of ["up","down"])"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("scroll"),
                                  R"({"direction":"up","amount":1.5})"),
                  std::string{"amount: expected an integer"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("type_text"),
                                  R"({"target":"#q","text":"x","submit":"yes"})"),
                  std::string{"submit: expected a boolean"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("go_back"), "[]"),
                  std::string{"the input: expected an object"});
  CAF_CHECK_EQUAL(schema_mismatch(schema_of("go_back"), "{"),
                  std::string{"the input is not JSON"});
}

CAF_TEST(an output is checked against a full JSON Schema) {
  auto schema = R"({"type":"object","properties":{"size":{"enum":["S","M"]},)"
                R"("n":{"type":"integer","minimum":1}},"required":["size"]})";
  CAF_CHECK(!schema_violation(schema, R"({"size":"M","n":2,"extra":true})"));
  CAF_CHECK_EQUAL(schema_violation(schema, R"({"size":"XL"})"),
                  std::string{"the output at #/size fails the schema's `enum` "
                              "(at #/properties/size)"});
  CAF_CHECK_EQUAL(schema_violation(schema, R"({"n":2})"),
                  std::string{"the output at its top fails the schema's `required` (at #)"});
  CAF_CHECK_EQUAL(schema_violation(schema, R"({"size":"S","n":0})"),
                  std::string{"the output at #/n fails the schema's `minimum` "
                              "(at #/properties/n)"});
  CAF_CHECK_EQUAL(schema_violation(schema, "{"), std::string{"the output is not JSON"});
  CAF_CHECK_EQUAL(schema_violation("[]", "{}"),
                  std::string{"the schema is not a JSON object"});
}
