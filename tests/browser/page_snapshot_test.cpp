#define CAF_SUITE page_snapshot

// get_page_snapshot and acting by its refs, on real Chromium: a form, a
// shadow root and a same-origin frame; stale refs after a navigation and
// after the page removes the element.

#include <regex>

#include "page_fixture.hpp"

using namespace agenttheo;
using namespace agenttheo::testing;

namespace {

/// The snapshot's first line that contains `part`.
std::string line_with(const std::string& snapshot, const std::string& part) {
  std::istringstream lines{snapshot};
  std::string line;
  while (std::getline(lines, line))
    if (line.find(part) != std::string::npos)
      return line;
  return {};
}

/// The ref on the snapshot's first line that contains `line_part`.
std::string ref_of(const std::string& snapshot, const std::string& line_part) {
  std::istringstream lines{snapshot};
  std::string line;
  static const std::regex ref{R"(\[ref=(e\d+)\])"};
  while (std::getline(lines, line)) {
    std::smatch m;
    if (line.find(line_part) != std::string::npos && std::regex_search(line, m, ref))
      return m[1];
  }
  CAF_FAIL("no ref on a line with " << line_part << " in:\n" << snapshot);
  return {};
}

std::string args(const std::string& ref, const std::string& more = "") {
  return R"({"ref":")" + ref + "\"" + more + "}";
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(page_snapshot_tests, page_fixture)

CAF_TEST(a snapshot outlines a form a shadow root and a frame) {
  CAF_REQUIRE(open("snapshot.html").ok);
  auto snap = tool("get_page_snapshot");
  CAF_REQUIRE(snap.ok);
  const auto& text = snap.output;
  CAF_MESSAGE(text);
  CAF_CHECK(contains(text, "page: \"Order form\" " + pages.url("snapshot.html")));
  CAF_CHECK(contains(text, "- heading \"Order\" [level=1]"));
  CAF_CHECK(contains(text, "- textbox \"Email\" [ref=e"));
  CAF_CHECK(contains(text, "- combobox \"Size\" [ref="));
  CAF_CHECK(contains(text, "]: Medium [options: Small, Medium, Large]"));
  CAF_CHECK(contains(text, "- checkbox \"Gift wrap\" [ref="));
  CAF_CHECK(contains(text, "- button \"Place order\" [ref="));
  // Links by path on the page's own origin.
  CAF_CHECK(contains(text, "- link \"About us\" [ref="));
  CAF_CHECK(contains(text, "-> /about.html"));
  // The open shadow root's button, and the frame's content under it.
  CAF_CHECK(contains(text, "- button \"Shadow button\" [ref="));
  CAF_CHECK(contains(text, "- iframe \"Inner frame\""));
  CAF_CHECK(contains(text, "  - button \"Inner button\" [ref="));
  CAF_CHECK(contains(text, "Inside the frame."));
  // Taken twice, the same page gives the same refs.
  CAF_CHECK_EQUAL(ref_of(tool("get_page_snapshot").output, "Place order"),
                  ref_of(text, "Place order"));
}

CAF_TEST(click type select and hover by ref) {
  CAF_REQUIRE(open("snapshot.html").ok);
  auto snap = tool("get_page_snapshot").output;
  auto typed = tool("type_text", args(ref_of(snap, "textbox \"Email\""),
                                      R"(,"text":"ada@example.com")"));
  CAF_CHECK(typed.ok);
  CAF_CHECK(contains(typed.output, "typed \"ada@example.com\" into input#email"));
  auto clicked = tool("click", args(ref_of(snap, "Place order")));
  CAF_CHECK(clicked.ok);
  auto chosen = tool("select_option", args(ref_of(snap, "combobox"), R"(,"option":"Large")"));
  CAF_CHECK(chosen.ok);
  CAF_CHECK_EQUAL(chosen.output, "selected \"Large\" in select#size");
  CAF_CHECK(!tool("select_option", args(ref_of(snap, "combobox"), R"(,"option":"Huge")")).ok);
  CAF_CHECK(tool("click", args(ref_of(snap, "Shadow button"))).ok);
  CAF_CHECK(tool("click", args(ref_of(snap, "Inner button"))).ok);
  auto hovered = tool("hover", args(ref_of(snap, "Account menu")));
  CAF_CHECK(hovered.ok);
  auto after = tool("get_page_snapshot").output;
  CAF_MESSAGE(after);
  // The same field, by the same ref, now with its value.
  auto email = line_with(after, "textbox \"Email\"");
  CAF_CHECK(contains(email, "[ref=" + ref_of(snap, "Email") + "]"));
  CAF_CHECK(contains(email, ": ada@example.com"));
  CAF_CHECK(contains(after, "Order placed for ada@example.com"));
  CAF_CHECK(contains(after, "]: Large [options:"));
  CAF_CHECK(contains(after, "Size is l"));
  CAF_CHECK(contains(after, "Shadow pressed"));
  CAF_CHECK(contains(after, "Inner button pressed"));
  // The mouse is really over it: the CSS :hover menu shows its link.
  CAF_CHECK(contains(after, "Menu opened"));
  CAF_CHECK(contains(after, "- link \"Profile\""));
  // The old ways still work beside refs.
  CAF_CHECK(tool("select_option", R"({"target":"#size","option":"s"})").ok);
  CAF_CHECK(tool("hover", R"({"target":"Account menu"})").ok);
}

CAF_TEST(a stale ref is refused with what to do) {
  CAF_REQUIRE(open("snapshot.html").ok);
  auto snap = tool("get_page_snapshot").output;
  // The page removes the element: its ref is stale at once.
  auto vanish = ref_of(snap, "Remove me");
  CAF_CHECK(tool("click", args(vanish)).ok);
  auto gone = tool("click", args(vanish));
  CAF_CHECK(!gone.ok);
  CAF_CHECK_EQUAL(gone.output, "ref " + vanish
                                 + " is stale: the page changed since the snapshot "
                                   "that gave it; call get_page_snapshot again and "
                                   "use a ref from the new one");
  // Another document: every ref of the old one is stale, even where the
  // new page has a node with the same number.
  auto place = ref_of(snap, "Place order");
  CAF_REQUIRE(open("about.html").ok);
  auto after_navigation = tool("click", args(place));
  CAF_CHECK(!after_navigation.ok);
  CAF_CHECK(contains(after_navigation.output, "is stale"));
  auto bogus = tool("click", args("button-3"));
  CAF_CHECK(!bogus.ok);
  CAF_CHECK(contains(bogus.output, "is not a ref"));
  auto nothing = tool("click", "{}");
  CAF_CHECK(!nothing.ok);
  CAF_CHECK(contains(nothing.output, "a ref from get_page_snapshot, or a target"));
}

CAF_TEST(a long page is cut with a note) {
  CAF_REQUIRE(open("long_table.html").ok);
  auto snap = tool("get_page_snapshot", R"({"max_chars":2000})");
  CAF_REQUIRE(snap.ok);
  CAF_CHECK_LESS_OR_EQUAL(snap.output.size(), 2200u);
  CAF_CHECK(contains(snap.output, "- table\n  | No. | Item | Price | Stock |\n"));
  CAF_CHECK(contains(snap.output, "\n  | 1 | Item 1 | 37.01 | in stock |\n"));
  CAF_CHECK(contains(snap.output, "[snapshot cut: "));
  auto whole = tool("get_page_snapshot");
  CAF_CHECK(contains(whole.output, "| Item 100 |"));
}

CAF_TEST_FIXTURE_SCOPE_END()
