#define CAF_SUITE storage_state

#include "browser/storage_state.hpp"

#include "util/json_reader.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(the capture of the page script is read with its storage entries) {
  auto saved = read_page_state(
    R"({"url":"http://127.0.0.1:8000/demo/","origin":"http://127.0.0.1:8000",)"
    R"("storage":[["cart","3"],["theme","dark"],["bad",1]]})");
  CAF_REQUIRE(saved);
  CAF_CHECK_EQUAL(saved->url, "http://127.0.0.1:8000/demo/");
  CAF_CHECK_EQUAL(saved->local_storage_count, 2u);
  CAF_CHECK_EQUAL(saved->local_storage_json, R"([["cart","3"],["theme","dark"]])");
  CAF_CHECK(saved->has_page());
  CAF_CHECK(!read_page_state("[1]"));
  CAF_CHECK(!read_page_state(R"({"url":"x"})"));
  auto blank = read_page_state(R"({"url":"about:blank","origin":"null","storage":[]})");
  CAF_REQUIRE(blank);
  CAF_CHECK(!blank->has_page());
}

CAF_TEST(cookies keep what they are set with and session ones no expiry) {
  storage_state saved;
  read_cookies(
    R"({"cookies":[)"
    R"({"name":"sid","value":"a b","domain":"127.0.0.1","path":"/","expires":-1,)"
    R"("size":9,"httpOnly":true,"secure":false,"session":true,"sameSite":"Lax",)"
    R"("priority":"Medium","sourceScheme":"NonSecure","sourcePort":8000},)"
    R"({"name":"pref","value":"1","domain":".localhost","path":"/demo",)"
    R"("expires":1893456000.5,"httpOnly":false,"secure":true,"session":false},)"
    R"({"value":"nameless"}]})",
    saved);
  CAF_CHECK_EQUAL(saved.cookie_count, 2u);
  json_document doc{"{\"c\":" + saved.cookies_json + "}"};
  json_reader all{doc};
  const auto* cookies = all.array("c");
  CAF_REQUIRE(cookies && cookies->Size() == 2);
  json_reader sid{(*cookies)[0]};
  CAF_CHECK_EQUAL(sid.text("value").value_or(""), "a b");
  CAF_CHECK_EQUAL(sid.boolean("httpOnly").value_or(false), true);
  CAF_CHECK_EQUAL(sid.text("sameSite").value_or(""), "Lax");
  CAF_CHECK(!sid.any("expires"));
  CAF_CHECK(!sid.any("priority")); // only what setCookies takes
  json_reader pref{(*cookies)[1]};
  CAF_CHECK_EQUAL(pref.text("path").value_or(""), "/demo");
  CAF_CHECK_EQUAL(pref.number("expires").value_or(0), 1893456000.5);
  storage_state none;
  read_cookies("not json", none);
  CAF_CHECK_EQUAL(none.cookies_json, "[]");
  CAF_CHECK_EQUAL(none.cookie_count, 0u);
}

CAF_TEST(the restoring script carries the origin and entries) {
  storage_state saved;
  CAF_CHECK_EQUAL(restore_script_params(saved), "");
  saved = *read_page_state(
    R"({"url":"http://127.0.0.1/","origin":"http://127.0.0.1","storage":[["k","v"]]})");
  auto params = restore_script_params(saved);
  json_document doc{params};
  auto source = std::string{json_reader{doc}.text("source").value_or("")};
  CAF_CHECK_NOT_EQUAL(source.find(R"({"origin":"http://127.0.0.1","storage":[["k","v"]]})"),
                      std::string::npos);
  auto cookies = set_cookies_params(saved, "CTX1");
  CAF_CHECK_EQUAL(cookies, R"({"cookies":[],"browserContextId":"CTX1"})");
}

CAF_TEST(the state kept across a restart reads back as it was written) {
  storage_state saved;
  saved.url = "http://127.0.0.1:8000/demo/cart";
  saved.origin = "http://127.0.0.1:8000";
  saved.local_storage_json = R"([["cart","3"]])";
  saved.local_storage_count = 1;
  saved.cookies_json = R"([{"name":"sid","value":"a","domain":"127.0.0.1"}])";
  saved.cookie_count = 1;
  auto back = storage_state_from_json(storage_state_to_json(saved));
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->url, saved.url);
  CAF_CHECK_EQUAL(back->origin, saved.origin);
  CAF_CHECK_EQUAL(back->local_storage_json, saved.local_storage_json);
  CAF_CHECK_EQUAL(back->local_storage_count, 1u);
  CAF_CHECK_EQUAL(back->cookies_json, saved.cookies_json);
  CAF_CHECK_EQUAL(back->cookie_count, 1u);
  CAF_CHECK(!storage_state_from_json(""));
  CAF_CHECK(!storage_state_from_json(R"({"url":"u"})"));
}
