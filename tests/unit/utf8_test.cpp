#define CAF_SUITE utf8

#include "util/utf8.hpp"

#include "protocol/run_body.hpp"
#include "protocol/stream_params.hpp"
#include "protocol/ws_protocol.hpp"
#include "util/json_writer.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(valid utf8 of every length passes) {
  for (std::string text : {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xef\xbf\xbd",
                           "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf"})
    CAF_CHECK(is_valid_utf8(text));
}

CAF_TEST(overlong forms surrogates and code points past the last are refused) {
  for (std::string text : {
         "\xc0\xaf",             // overlong '/'
         "\xc1\xbf",             // overlong
         "\xe0\x80\xaf",         // overlong, three bytes
         "\xf0\x80\x80\xaf",     // overlong, four bytes
         "\xed\xa0\x80",         // U+D800, a surrogate
         "\xed\xbf\xbf",         // U+DFFF
         "\xf4\x90\x80\x80",     // U+110000
         "\xf5\x80\x80\x80",     // no such lead byte
         "\xff", "\x80", "caf\xc3", "\xe2\x82", "\xf0\x9f\x98"})
    CAF_CHECK(!is_valid_utf8(text));
}

CAF_TEST(repair replaces each maximal invalid subpart) {
  CAF_CHECK_EQUAL(to_valid_utf8("a\xc0\xaf" "b"), "a\xef\xbf\xbd\xef\xbf\xbd" "b");
  CAF_CHECK_EQUAL(to_valid_utf8("\xe2\x82" "x"), "\xef\xbf\xbd" "x");
  CAF_CHECK_EQUAL(to_valid_utf8("ok \xf0\x9f\x98\x80"), "ok \xf0\x9f\x98\x80");
  CAF_CHECK_EQUAL(to_valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CAF_CHECK(is_valid_utf8(to_valid_utf8("\xf4\x90\x80\x80\xff\xc3")));
}

CAF_TEST(what the server writes is utf8 whatever it was given) {
  json_writer out;
  out.begin_object().field("token", std::string{"bad \xed\xa0\x80 end"}).end_object();
  CAF_CHECK_EQUAL(out.str(), "{\"token\":\"bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end\"}");
}

CAF_TEST(every entry refuses invalid utf8) {
  CAF_CHECK(check_command("go \xc0\xaf", 100));
  auto surrogate = check_command("go \xed\xa0\x80", 100);
  CAF_REQUIRE(surrogate);
  CAF_CHECK_EQUAL(surrogate->code, "bad_command");
  auto body = parse_run_body("{\"command\":\"go \xf4\x90\x80\x80\"}", "s", 100);
  CAF_REQUIRE(std::holds_alternative<api_error>(body));
  CAF_CHECK_EQUAL(std::get<api_error>(body).code, "bad_body");
  auto message = parse_ws_message("{\"type\":\"run\",\"command\":\"\xc0\xaf\"}", 100);
  CAF_REQUIRE(std::holds_alternative<ws_bad_message>(message));
  CAF_CHECK_EQUAL(std::get<ws_bad_message>(message).error.code, "bad_json");
}

CAF_TEST(a prefix never ends inside a sequence) {
  // "aé€" is 61 | C3 A9 | E2 82 AC.
  std::string_view text{"a\xc3\xa9\xe2\x82\xac"};
  CAF_CHECK_EQUAL(utf8_prefix(text, 1), "a");
  CAF_CHECK_EQUAL(utf8_prefix(text, 2), "a");
  CAF_CHECK_EQUAL(utf8_prefix(text, 3), "a\xc3\xa9");
  CAF_CHECK_EQUAL(utf8_prefix(text, 5), "a\xc3\xa9");
  CAF_CHECK_EQUAL(utf8_prefix(text, 6), text);
  CAF_CHECK_EQUAL(utf8_prefix(text, 60), text);
}
