#define CAF_SUITE api_error

#include <caf/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <rapidjson/document.h>

#include "messages/api_error.hpp"

using namespace agenttheo;

namespace {

/// The README's table of API errors, one `| status | `code` | when |` row
/// per code, between "### Errors" and the in-stream errors below it.
std::set<std::string> readme_rows() {
  std::ifstream in{AGENTTHEO_SOURCE_DIR "/README.md"};
  CAF_REQUIRE(in.good());
  std::set<std::string> rows;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "### Errors")
      inside = true;
    else if (inside && line.rfind("Inside a stream", 0) == 0)
      break;
    else if (inside && line.rfind("| ", 0) == 0 && line[2] >= '0'
             && line[2] <= '9')
      rows.insert(line);
  }
  return rows;
}

std::string row_of(const api_code_info& info) {
  return "| " + std::to_string(info.status) + " | `" + std::string{info.name}
         + "` | " + std::string{info.when} + " |";
}

} // namespace

CAF_TEST(the README lists every code of the catalogue and no other) {
  std::set<std::string> expected;
  for (auto* i = api_catalogue_begin(); i != api_catalogue_end(); ++i)
    expected.insert(row_of(*i));
  auto documented = readme_rows();
  for (const auto& row : expected)
    if (documented.count(row) == 0)
      CAF_FAIL("README's Errors table lacks: " << row);
  for (const auto& row : documented)
    if (expected.count(row) == 0)
      CAF_FAIL("README's Errors table has a row the catalogue lacks: " << row);
  CAF_CHECK_EQUAL(documented.size(), expected.size());
}

CAF_TEST(codes are unique and each names its row) {
  std::set<std::string_view> names;
  for (auto* i = api_catalogue_begin(); i != api_catalogue_end(); ++i) {
    CAF_CHECK(names.insert(i->name).second);
    CAF_CHECK_EQUAL(to_string(i->code), i->name);
    CAF_CHECK(i->status == 204 || (i->status >= 400 && i->status < 600));
  }
  CAF_CHECK_GREATER(names.size(), 40u);
}

CAF_TEST(an error takes its status from the catalogue) {
  auto err = api_error::of(api_code::queue_full, "three waiting");
  CAF_CHECK_EQUAL(err.status, 429u);
  CAF_CHECK_EQUAL(err.code, "queue_full");
  CAF_CHECK_EQUAL(api_error::unknown_run("m-1").message,
                  "no run with messageId 'm-1'");
  CAF_CHECK_EQUAL(api_error::unknown_session("s").status, 404u);
  CAF_CHECK_EQUAL(api_error::shutting_down().code, "shutting_down");
}

CAF_TEST(the body is the documented JSON) {
  rapidjson::Document doc;
  auto body = error_body(api_error::of(api_code::bad_body, "say \"why\""));
  doc.Parse(body.c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK_EQUAL(doc["error"]["status"].GetUint(), 400u);
  CAF_CHECK_EQUAL(std::string{doc["error"]["code"].GetString()}, "bad_body");
  CAF_CHECK_EQUAL(std::string{doc["error"]["message"].GetString()},
                  "say \"why\"");
}

CAF_TEST(a refusal that says when to retry says it in the body too) {
  auto full = api_error::of(api_code::too_many_sessions, "full");
  CAF_CHECK_EQUAL(error_body(full).find("retry_after"), std::string::npos);
  full.retry_after_s = 37;
  CAF_CHECK_EQUAL(error_body(full),
                  R"({"error":{"status":503,"code":"too_many_sessions",)"
                  R"("message":"full","retry_after":37}})");
}
