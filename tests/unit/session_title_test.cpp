#define CAF_SUITE session_title

#include "messages/session_title.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

CAF_TEST(a short command is its own title on one line) {
  CAF_CHECK_EQUAL(title_from_command("  go to the shop\n then   look "),
                  "go to the shop then look");
  CAF_CHECK_EQUAL(title_from_command("tab\there"), "tab here");
}

CAF_TEST(a long command is cut at a word with an ellipsis) {
  auto title = title_from_command(
    "go to http://127.0.0.1:8000/demo/ then click Products then read the page",
    40);
  CAF_CHECK_EQUAL(title, "go to http://127.0.0.1:8000/demo/ then…");
  // One long word: cut inside it, never inside a UTF-8 sequence.
  auto word = title_from_command(std::string(30, 'a') + "\xc3\xa9\xc3\xa9", 31);
  CAF_CHECK_EQUAL(word, std::string(30, 'a') + "…");
}

CAF_TEST(a chosen title is trimmed and checked) {
  std::string why;
  CAF_CHECK_EQUAL(checked_title("  Shop search ", why).value_or(""), "Shop search");
  CAF_CHECK(!checked_title("   ", why));
  CAF_CHECK_EQUAL(why, "title must not be empty");
  CAF_CHECK(!checked_title("two\nlines", why));
  CAF_CHECK_EQUAL(why, "title must be one line without control characters");
  CAF_CHECK(!checked_title(std::string(max_title_bytes + 1, 'x'), why));
  CAF_CHECK_EQUAL(why, "title must be at most 120 bytes");
  CAF_CHECK(checked_title(std::string(max_title_bytes, 'x'), why));
}
