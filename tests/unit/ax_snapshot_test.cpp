#define CAF_SUITE ax_snapshot

#include "browser/ax_snapshot.hpp"
#include "browser/element_refs.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

/// One accessibility node as CDP gives it: `props` are name:value pairs of
/// its properties (a value in quotes is a string, else a bool or number).
std::string ax(int id, const std::string& role, const std::string& name,
               const std::string& children, const std::string& extra = "") {
  return R"({"nodeId":")" + std::to_string(id) + R"(","backendDOMNodeId":)"
         + std::to_string(id) + R"(,"role":{"type":"role","value":")" + role
         + R"("},"name":{"type":"computedString","value":")" + name
         + R"("},"childIds":[)" + children + "]" + extra + "}";
}

std::string props(const std::string& list) {
  return R"(,"properties":[)" + list + "]";
}

std::string prop(const std::string& name, const std::string& value) {
  return R"({"name":")" + name + R"(","value":{"type":"x","value":)" + value + "}}";
}

std::string tree(const std::string& nodes) {
  return R"({"nodes":[)" + nodes + "]}";
}

/// A page: a heading, a wrapped form with a field, a select and a
/// checkbox, an ignored wrapper, a table row, a link, a frame, and an
/// unreadable frame.
snapshot_source shop() {
  snapshot_source src;
  src.main_tree_json = tree(
    ax(1, "RootWebArea", "Shop", R"("2","3","9","12","14","20","21")",
       props(prop("url", R"("http://127.0.0.1:8000/shop")")))
    + "," + ax(2, "heading", "Pots", R"("30")", props(prop("level", "2")))
    + "," + ax(30, "StaticText", "Pots", "")
    + "," + ax(3, "generic", "", R"("4","5","6")")
    + "," + ax(4, "textbox", "Email", R"("31")",
               props(prop("focusable", "true")) + R"(,"value":{"type":"string","value":"a@b.c"})")
    + "," + ax(31, "StaticText", "a@b.c", "")
    + "," + ax(5, "combobox", "Size", R"("7")", R"(,"value":{"type":"string","value":"M"})")
    + "," + ax(7, "MenuListPopup", "", R"("32","33")")
    + "," + ax(32, "option", "S", "") + "," + ax(33, "option", "M", "")
    + "," + ax(6, "checkbox", "Gift", "", props(prop("checked", R"("true")")))
    + "," + R"({"nodeId":"9","ignored":true,"role":{"type":"role","value":"none"},"childIds":["10"]})"
    + "," + ax(10, "paragraph", "", R"("34","35")")
    + "," + ax(34, "StaticText", "Hello ", "") + "," + ax(35, "StaticText", "  world", "")
    + "," + ax(12, "row", "", R"("40","41")")
    + "," + ax(40, "cell", "", R"("42")") + "," + ax(42, "StaticText", "Alice", "")
    + "," + ax(41, "cell", "", R"("43")") + "," + ax(43, "StaticText", "42", "")
    + "," + ax(14, "link", "About", "",
               props(prop("url", R"("http://127.0.0.1:8000/about")")))
    + "," + ax(20, "Iframe", "Inner", "")
    + "," + ax(21, "Iframe", "", ""));
  src.frames[20] = tree(ax(100, "RootWebArea", "Inner", R"("101")")
                        + "," + ax(101, "button", "Go", ""));
  src.frames[21] = "";
  return src;
}

} // namespace

CAF_TEST(an outline with refs on what can be acted on) {
  auto snap = render_snapshot(shop(), 10'000);
  CAF_CHECK_EQUAL(snap.text,
                  "page: \"Shop\" http://127.0.0.1:8000/shop\n"
                  "- heading \"Pots\" [level=2]\n"
                  "- textbox \"Email\" [ref=e4]: a@b.c\n"
                  "- combobox \"Size\" [ref=e5]: M [options: S, M]\n"
                  "- checkbox \"Gift\" [ref=e6] [checked]\n"
                  "- paragraph: Hello world\n"
                  "| Alice | 42 |\n"
                  "- link \"About\" [ref=e14] -> /about\n"
                  "- iframe \"Inner\"\n"
                  "  - button \"Go\" [ref=e101]\n"
                  "- iframe\n"
                  "  - text: (a frame from another site: not readable)\n");
  CAF_CHECK_EQUAL(snap.refs, (std::vector<std::int64_t>{4, 5, 6, 14, 101}));
  CAF_CHECK_EQUAL(snap.lines_cut, 0u);
}

CAF_TEST(a snapshot over its size is cut at a line with a note) {
  auto snap = render_snapshot(shop(), 120);
  CAF_CHECK_EQUAL(snap.text,
                  "page: \"Shop\" http://127.0.0.1:8000/shop\n"
                  "- heading \"Pots\" [level=2]\n"
                  "- textbox \"Email\" [ref=e4]: a@b.c\n"
                  "[snapshot cut: 9 more lines; scroll, or read the rest with "
                  "get_page_text]\n");
  // Only what was shown gives refs.
  CAF_CHECK_EQUAL(snap.refs, (std::vector<std::int64_t>{4}));
}

CAF_TEST(an unreadable or empty page says so) {
  snapshot_source empty;
  empty.main_tree_json = "not json";
  CAF_CHECK_EQUAL(render_snapshot(empty, 1000).text,
                  "(the page shows nothing a reader can see)\n");
  // A hostile page's nesting is bounded, not followed to the end.
  std::string nodes = ax(1, "RootWebArea", "Deep", R"("2")");
  for (int i = 2; i < 5000; ++i)
    nodes += "," + ax(i, "group", "g", "\"" + std::to_string(i + 1) + "\"");
  snapshot_source deep;
  deep.main_tree_json = tree(nodes);
  auto snap = render_snapshot(deep, 1'000'000);
  CAF_CHECK_LESS(snap.text.size(), 10'000u);
  // Wrappers show at their parent's depth: 100,000 of them nested must
  // not nest the renderer's calls as deep (ASan's stack would end first).
  nodes = ax(1, "RootWebArea", "Wrapped", R"("2")");
  for (int i = 2; i < 100'000; ++i)
    nodes += "," + ax(i, "generic", "", "\"" + std::to_string(i + 1) + "\"");
  nodes += "," + ax(100'000, "button", "Deep inside", "");
  snapshot_source wrapped;
  wrapped.main_tree_json = tree(nodes);
  snap = render_snapshot(wrapped, 1'000'000);
  CAF_CHECK_EQUAL(snap.text, "page: \"Wrapped\" \n"
                             "(the page shows nothing a reader can see)\n");
}

CAF_TEST(refs are known until the document changes) {
  element_refs refs;
  refs.remember({12, 40});
  CAF_CHECK_EQUAL(std::get<std::int64_t>(refs.resolve("e12")), 12);
  CAF_CHECK(std::holds_alternative<std::string>(refs.resolve("e13")));
  CAF_CHECK_EQUAL(std::get<std::string>(refs.resolve("e13")), stale_ref_message("e13"));
  for (auto* bogus : {"", "e", "12", "e-1", "e1x", "E12", "e99999999999999999999"})
    CAF_CHECK(std::get<std::string>(refs.resolve(bogus)).find("is not a ref")
              != std::string::npos);
  refs.forget_all();
  CAF_CHECK(std::holds_alternative<std::string>(refs.resolve("e12")));
  // Bounded: past the limit the old ones go.
  std::vector<std::int64_t> many;
  for (std::int64_t i = 1; i <= static_cast<std::int64_t>(element_refs::max_refs); ++i)
    many.push_back(i);
  refs.remember(many);
  refs.remember({999'999});
  CAF_CHECK_EQUAL(refs.size(), 1u);
}
