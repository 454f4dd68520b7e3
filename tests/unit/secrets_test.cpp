#define CAF_SUITE secrets

#include "browser/secret_vault.hpp"
#include "browser/session_secrets.hpp"

#include <caf/test/unit_test.hpp>

#include <memory>
#include <variant>

using namespace agenttheo;

namespace {

secret_vault vault_of(std::string_view json) {
  auto parsed = parse_secrets(json);
  if (auto* err = std::get_if<std::string>(&parsed))
    CAF_FAIL("not secrets: " << *err);
  return secret_vault{std::get<std::vector<secret>>(std::move(parsed))};
}

std::string error_of(std::string_view json) {
  auto parsed = parse_secrets(json);
  auto* err = std::get_if<std::string>(&parsed);
  return err ? *err : std::string{};
}

const char* two = R"({"pw": {"value": "hunter2-Sx9", "hosts": ["Accounts.Example.com"]},
                      "key": {"value": "k\"ey\\9876", "hosts": ["*.example.org"]}})";

} // namespace

CAF_TEST(placeholders are filled on the secret hosts only) {
  auto vault = vault_of(two);
  auto filled = vault.fill("user <secret:pw> done", "accounts.example.com");
  CAF_CHECK(filled.ok);
  CAF_CHECK_EQUAL(filled.text, "user hunter2-Sx9 done");
  filled = vault.fill("<secret:pw>", "example.com");
  CAF_CHECK(!filled.ok);
  CAF_CHECK_EQUAL(filled.text, "secret pw not allowed on this host (example.com)");
  // *.example.org: a name below it, not the name itself.
  CAF_CHECK(vault.fill("<secret:key>", "api.example.org").ok);
  CAF_CHECK(!vault.fill("<secret:key>", "example.org").ok);
  CAF_CHECK(!vault.fill("<secret:key>", "badexample.org").ok);
  filled = vault.fill("<secret:other>", "accounts.example.com");
  CAF_CHECK_EQUAL(filled.text, "there is no secret named other");
  // Text without placeholders passes as it is; an unclosed mark too.
  CAF_CHECK_EQUAL(vault.fill("plain <secret:pw", "x").text, "plain <secret:pw");
  CAF_CHECK(!secret_vault::has_placeholder("plain"));
}

CAF_TEST(values are redacted in text and in JSON) {
  auto vault = vault_of(two);
  CAF_CHECK_EQUAL(vault.redact("echo hunter2-Sx9 and hunter2-Sx9"),
                  "echo <secret:pw> and <secret:pw>");
  // In JSON the second value appears escaped: "k\"ey\\9876".
  CAF_CHECK_EQUAL(vault.redact_json(R"({"t":"x k\"ey\\9876 y"})"),
                  R"({"t":"x <secret:key> y"})");
  CAF_CHECK_EQUAL(vault.redact("nothing here"), "nothing here");
  auto lines = vault.prompt_lines();
  CAF_CHECK_NOT_EQUAL(lines.find("<secret:pw> (on accounts.example.com)"),
                      std::string::npos);
  CAF_CHECK_EQUAL(lines.find("hunter2"), std::string::npos);
}

CAF_TEST(bad secrets say what is wrong without their values) {
  CAF_CHECK_NOT_EQUAL(error_of("[]").find("JSON object"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"a b": {"value": "abcd", "hosts": ["x"]}})")
                        .find("name must be"),
                      std::string::npos);
  auto short_value = error_of(R"({"pw": {"value": "abc", "hosts": ["x"]}})");
  CAF_CHECK_NOT_EQUAL(short_value.find("4 to 4096 bytes"), std::string::npos);
  CAF_CHECK_EQUAL(short_value.find("abc"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(error_of(R"({"pw": {"value": "abcd1234", "hosts": []}})")
                        .find("non-empty array"),
                      std::string::npos);
  auto bad_host = error_of(R"({"pw": {"value": "abcd1234", "hosts": ["https://x/"]}})");
  CAF_CHECK_NOT_EQUAL(bad_host.find("each host"), std::string::npos);
  CAF_CHECK_EQUAL(bad_host.find("abcd1234"), std::string::npos);
}

CAF_TEST(a file may not name a secret twice or remove one) {
  CAF_CHECK_EQUAL(error_of(R"({"pw": {"value": "abcd1234", "hosts": ["x"]},
                               "pw": {"value": "efgh5678", "hosts": ["y"]}})"),
                  "secret pw: named twice");
  CAF_CHECK_NOT_EQUAL(error_of(R"({"pw": null})").find("must be an object"),
                      std::string::npos);
}

namespace {

secrets_patch patch_of(std::string_view json) {
  auto parsed = parse_secrets_patch(json);
  if (auto* err = std::get_if<std::string>(&parsed))
    CAF_FAIL("not a patch: " << *err);
  return std::get<secrets_patch>(std::move(parsed));
}

std::string listing(const session_secrets& secrets) {
  json_writer out;
  secrets.write_list(out);
  return out.str();
}

} // namespace

CAF_TEST(a session's own secrets go over the server's by name) {
  session_secrets secrets{std::make_shared<const secret_vault>(vault_of(two))};
  CAF_CHECK(!secrets.has_own());
  CAF_REQUIRE(!secrets.apply(patch_of(R"({"pw": {"value": "session-pw-77",
                                                 "hosts": ["127.0.0.1"]},
                                          "pin": {"value": "4242-x", "hosts": ["b.test"]}})")));
  const auto& vault = *secrets.vault();
  CAF_CHECK_EQUAL(vault.fill("<secret:pw>", "127.0.0.1").text, "session-pw-77");
  // The server's pw is hidden for filling, and still redacted.
  CAF_CHECK(!vault.fill("<secret:pw>", "accounts.example.com").ok);
  CAF_CHECK_EQUAL(vault.redact("a hunter2-Sx9 b session-pw-77"),
                  "a <secret:pw> b <secret:pw>");
  CAF_CHECK(vault.fill("<secret:key>", "api.example.org").ok);
  CAF_CHECK_EQUAL(listing(secrets),
                  R"([{"name":"pw","hosts":["127.0.0.1"],"from":"session"},)"
                  R"({"name":"pin","hosts":["b.test"],"from":"session"},)"
                  R"({"name":"key","hosts":["*.example.org"],"from":"server"}])");
}

CAF_TEST(removed and replaced values stay redacted) {
  session_secrets secrets;
  CAF_REQUIRE(!secrets.apply(patch_of(R"({"pw": {"value": "first-value", "hosts": ["h"]}})")));
  CAF_REQUIRE(!secrets.apply(patch_of(R"({"pw": {"value": "second-value", "hosts": ["h"]}})")));
  CAF_CHECK_EQUAL(secrets.vault()->fill("<secret:pw>", "h").text, "second-value");
  CAF_REQUIRE(!secrets.apply(patch_of(R"({"pw": null, "gone": null})")));
  CAF_CHECK(!secrets.has_own());
  CAF_CHECK(!secrets.vault()->fill("<secret:pw>", "h").ok);
  CAF_CHECK_EQUAL(secrets.vault()->redact("first-value second-value"),
                  "<secret:pw> <secret:pw>");
  CAF_CHECK(secrets.vault()->holds_value("x second-value"));
  CAF_CHECK_EQUAL(listing(secrets), "[]");
}

CAF_TEST(a session holds a bounded number of secrets and a bad patch changes nothing) {
  session_secrets secrets;
  std::string many = "{";
  for (std::size_t i = 0; i <= max_session_secrets; ++i)
    many += (i ? "," : "") + std::string{"\"s"} + std::to_string(i)
            + R"(": {"value": "value-)" + std::to_string(i) + R"(", "hosts": ["h"]})";
  many += "}";
  auto why = secrets.apply(patch_of(many));
  CAF_REQUIRE(why);
  CAF_CHECK_NOT_EQUAL(why->find("at most 64"), std::string::npos);
  CAF_CHECK(!secrets.has_own());
  CAF_CHECK(secrets.vault()->empty());
}
