#define CAF_SUITE json_writer

#include "util/json_writer.hpp"

#include <string>

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(writers one after another each write only their own text) {
  {
    json_writer first;
    first.begin_object().field("a", 1).end_object();
    CAF_CHECK_EQUAL(first.str(), R"({"a":1})");
  }
  json_writer second;
  second.begin_array().value("b").end_array();
  CAF_CHECK_EQUAL(second.str(), R"(["b"])");
}

CAF_TEST(a writer inside the lifetime of another writes apart from it) {
  json_writer outer;
  outer.begin_object().key("inner");
  std::string inner_text;
  {
    json_writer inner;
    inner.begin_object().field("x", true).end_object();
    inner_text = inner.str();
  }
  outer.raw(inner_text).field("after", 2).end_object();
  CAF_CHECK_EQUAL(inner_text, R"({"x":true})");
  CAF_CHECK_EQUAL(outer.str(), R"({"inner":{"x":true},"after":2})");
}

CAF_TEST(a thread lends its writer scratch to the next writer) {
  auto* first = detail::borrow_json_scratch();
  detail::give_back_json_scratch(first);
  auto* again = detail::borrow_json_scratch();
  CAF_CHECK_EQUAL(again, first);
  // Lent out: the next borrower gets one of its own.
  auto* other = detail::borrow_json_scratch();
  CAF_CHECK_NOT_EQUAL(other, again);
  detail::give_back_json_scratch(other);
  detail::give_back_json_scratch(again);
}

CAF_TEST(a large text is written whole and the next writer starts clean) {
  std::string big(40'000, 'z');
  {
    json_writer large;
    large.begin_object().field("big", big).end_object();
    CAF_CHECK_EQUAL(large.str().size(), big.size() + 10);
  }
  json_writer small;
  small.value("s");
  CAF_CHECK_EQUAL(small.str(), R"("s")");
}
