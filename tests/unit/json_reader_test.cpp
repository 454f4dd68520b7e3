#define CAF_SUITE json_reader

#include "util/json_reader.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(members read by their type) {
  json_document doc{R"({"s":"hi","n":7,"neg":-2,"f":1.5,"b":true,
                        "o":{"x":"y"},"a":[1],"z":null})"};
  CAF_REQUIRE(doc.parsed_object());
  json_reader r{doc};
  CAF_CHECK_EQUAL(r.text("s").value_or(""), "hi");
  CAF_CHECK_EQUAL(r.count("n").value_or(0), 7u);
  CAF_CHECK_EQUAL(r.integer("neg").value_or(0), -2);
  CAF_CHECK_EQUAL(r.number("f").value_or(0), 1.5);
  CAF_CHECK_EQUAL(r.boolean("b").value_or(false), true);
  CAF_CHECK_EQUAL(r.object("o").text("x").value_or(""), "y");
  CAF_REQUIRE(r.array("a") != nullptr);
  CAF_CHECK_EQUAL(r.array("a")->Size(), 1u);
  // Absent and null read as absent, and are no error.
  CAF_CHECK(!r.text("missing"));
  CAF_CHECK(!r.text("z"));
  CAF_CHECK(!r.error());
}

CAF_TEST(the first member of the wrong type is the error) {
  json_document doc{R"({"s":5,"n":-1,"b":"yes"})"};
  json_reader r{doc};
  CAF_CHECK(!r.text("s"));
  CAF_CHECK(!r.count("n"));
  CAF_CHECK(!r.boolean("b"));
  CAF_REQUIRE(r.error());
  CAF_CHECK_EQUAL(*r.error(), "s must be a string");
}

CAF_TEST(anything but an object reads as empty) {
  for (auto* text : {"", "[1,2]", "\"s\"", "{not json"}) {
    json_document doc{text};
    CAF_CHECK(!doc.parsed_object());
    json_reader r{doc};
    CAF_CHECK(!r.text("s"));
    CAF_CHECK(!r.error());
  }
  json_document doc{R"({"o":3})"};
  json_reader r{doc};
  CAF_CHECK(!r.object("o").text("x"));
  CAF_CHECK_EQUAL(*r.error(), "o must be an object");
}

CAF_TEST(a value goes back to JSON text) {
  json_document doc{R"({"v":{"a":[1,"x"]}})"};
  CAF_CHECK_EQUAL(to_json(*json_reader{doc}.any("v")), R"({"a":[1,"x"]})");
}

CAF_TEST(a string whose escapes are not UTF-8 is an error) {
  // A lone low surrogate: what the api_input fuzzer found in a title.
  json_document doc{R"({"title":"2e[\uDDDD0777","ok":"\uD83D\uDE00"})"};
  json_reader r{doc};
  CAF_CHECK(!r.text("title"));
  CAF_REQUIRE(r.error());
  CAF_CHECK_EQUAL(*r.error(), "title must be text without lone \\u surrogates");
  CAF_CHECK_EQUAL(r.text("ok").value_or(""), "\xF0\x9F\x98\x80");
}
