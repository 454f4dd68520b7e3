#define CAF_SUITE approval_policy

#include "browser/approval_policy.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

std::set<std::string> visited{"shop.example"};

std::optional<approval_need> check(approval_mask mask, std::string_view tool,
                                   std::string_view args,
                                   const target_facts* target = nullptr) {
  return approval_needed(mask, {tool, args, "shop.example", &visited, target});
}

target_facts field(std::string type, std::string autocomplete = {},
                   std::string name = {}) {
  target_facts f;
  f.found = true;
  f.tag = "input";
  f.type = std::move(type);
  f.autocomplete = std::move(autocomplete);
  f.name = std::move(name);
  f.label = "input#f \"\"";
  f.host = "accounts.example";
  f.in_form = true;
  return f;
}

} // namespace

CAF_TEST(policies parse as comma lists and print canonically) {
  CAF_CHECK_EQUAL(parse_approval_policy("none"), approval_mask{0});
  CAF_CHECK_EQUAL(parse_approval_policy(""), approval_mask{0});
  auto mask = parse_approval_policy(" Submit, navigate ,type_sensitive");
  CAF_REQUIRE(mask);
  CAF_CHECK_EQUAL(*mask, approval::submit | approval::navigate | approval::type_sensitive);
  CAF_CHECK_EQUAL(approval_policy_to_string(*mask), "navigate,submit,type_sensitive");
  CAF_CHECK_EQUAL(approval_policy_to_string(0), "none");
  std::string bad;
  CAF_CHECK(!parse_approval_policy("navigate,everything", &bad));
  CAF_CHECK_EQUAL(bad, "everything");
}

CAF_TEST(no rule lets everything through) {
  auto pw = field("password");
  CAF_CHECK(!check(0, "navigate_to", R"({"url":"https://evil.example/"})"));
  CAF_CHECK(!check(0, "type_text", R"({"target":"#p","text":"x"})", &pw));
}

CAF_TEST(navigation rules name where the page would go) {
  auto need = check(approval::navigate, "navigate_to", R"({"url":"https://shop.example/cart"})");
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->rule, "navigate");
  CAF_CHECK_EQUAL(need->reason, "open https://shop.example/cart");
  CAF_CHECK_EQUAL(check(approval::navigate, "go_back", "{}")->reason,
                  "go back to the previous page");
  CAF_CHECK(!check(approval::navigate, "get_title", "{}"));
  // A new tab goes somewhere too.
  CAF_CHECK_EQUAL(check(approval::navigate, "open_tab",
                        R"({"url":"https://shop.example/help"})")->reason,
                  "open https://shop.example/help");
  CAF_CHECK(rules_for_tool("open_tab") & approval::new_host);
  // new_host: only a host the session has not loaded.
  CAF_CHECK(!check(approval::new_host, "navigate_to", R"({"url":"https://SHOP.example/x"})"));
  need = check(approval::new_host | approval::navigate, "navigate_to",
               R"({"url":"https://bank.example/"})");
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->rule, "new_host");
  CAF_CHECK_EQUAL(need->reason, "open https://bank.example/ (bank.example is a host "
                                "this session has not visited)");
  // A click on a link is a navigation too.
  target_facts link;
  link.found = true;
  link.tag = "a";
  link.label = "a \"Bank\"";
  link.href = "https://bank.example/login";
  need = check(approval::new_host, "click", R"({"target":"Bank"})", &link);
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->reason, "follow the link a \"Bank\" to https://bank.example/login "
                                "(bank.example is a host this session has not visited)");
}

CAF_TEST(sensitive fields are told by type autocomplete and name) {
  CAF_CHECK_EQUAL(sensitive_field_kind(field("password")), "password");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("text", "current-password")), "password");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("text", "cc-number")), "card number");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("tel", "", "cvv")), "card number");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("text", "one-time-code")), "one-time code");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("text", "", "otp_code")), "one-time code");
  CAF_CHECK_EQUAL(sensitive_field_kind(field("email", "username", "email")), "");
  auto pw = field("password");
  auto need = check(approval::type_sensitive, "type_text", R"({"target":"#p","text":"x"})", &pw);
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->reason, "type into the password field on accounts.example");
  auto name = field("text");
  CAF_CHECK(!check(approval::type_sensitive, "type_text", R"({"target":"#n","text":"x"})", &name));
}

CAF_TEST(submitting is clicking a submit button or pressing enter in a form) {
  target_facts button;
  button.found = true;
  button.tag = "button";
  button.label = "button \"Pay\"";
  button.host = "shop.example";
  button.in_form = true;
  button.submits = true;
  auto need = check(approval::submit, "click", R"({"target":"Pay"})", &button);
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->reason, "submit the form on shop.example by clicking button \"Pay\"");
  auto input = field("text");
  CAF_CHECK(check(approval::submit, "press_key", R"({"key":"Enter"})", &input));
  CAF_CHECK(!check(approval::submit, "press_key", R"({"key":"Tab"})", &input));
  CAF_CHECK(check(approval::submit, "type_text", R"({"target":"#q","text":"x","submit":true})", &input));
  CAF_CHECK(!check(approval::submit, "type_text", R"({"target":"#q","text":"x"})", &input));
  // Which actions need the page's facts first.
  CAF_CHECK(needs_target_facts(approval::submit, "click", "{}"));
  CAF_CHECK(needs_target_facts(approval::submit, "press_key", R"({"key":"Enter"})"));
  CAF_CHECK(!needs_target_facts(approval::submit, "press_key", R"({"key":"a"})"));
  CAF_CHECK(!needs_target_facts(approval::navigate, "type_text", "{}"));
  CAF_CHECK(!needs_target_facts(approval::type_sensitive, "navigate_to", "{}"));
}

CAF_TEST(each tool names the rules that can stop it) {
  CAF_CHECK_EQUAL(approval_policy_to_string(rules_for_tool("navigate_to")),
                  "all,navigate,new_host");
  CAF_CHECK_EQUAL(approval_policy_to_string(rules_for_tool("click")),
                  "all,navigate,new_host,submit,download");
  CAF_CHECK_EQUAL(approval_policy_to_string(rules_for_tool("type_text")),
                  "all,submit,type_sensitive");
  CAF_CHECK_EQUAL(approval_policy_to_string(rules_for_tool("get_title")), "all");
  CAF_CHECK_EQUAL(rules_for_tool("ask_user"), 0u);
  CAF_CHECK_EQUAL(approval_rule_names(approval::all | approval::upload),
                  (std::vector<std::string_view>{"all", "upload"}));
  // What a rule judges, the table says it can.
  target_facts pw = field("password");
  for (auto [tool, mask] : {std::pair{"type_text", approval::type_sensitive},
                            std::pair{"navigate_to", approval::navigate}})
    CAF_CHECK((rules_for_tool(tool) & mask) != 0
              && check(mask, tool, R"({"url":"https://x/","target":"#p","text":"x"})", &pw));
}

CAF_TEST(downloads uploads and all) {
  target_facts link;
  link.found = true;
  link.label = "a \"Report\"";
  link.href = "https://shop.example/report.pdf";
  link.download = true;
  auto need = check(approval::download | approval::navigate, "click", "{}", &link);
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->rule, "download");
  CAF_CHECK_EQUAL(check(approval::upload, "upload_file", "{}")->rule, "upload");
  CAF_CHECK_EQUAL(check(approval::upload, "upload_file",
                        R"({"artifact":"cv.pdf","target":"#resume"})")->reason,
                  "upload cv.pdf on shop.example");
  need = check(approval::all, "get_title", "{}");
  CAF_REQUIRE(need);
  CAF_CHECK_EQUAL(need->reason, "run get_title on shop.example");
}
