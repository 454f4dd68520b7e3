#define CAF_SUITE page_tool_table

#include "actors/page_tools.hpp"

#include <caf/test/unit_test.hpp>

#include <set>

#include "llm/offline_planner.hpp"
#include "util/json_reader.hpp"

using namespace agenttheo;

CAF_TEST(each tool is one row with a schema the model can read) {
  std::set<std::string_view> names;
  for (const auto& tool : page_tools()) {
    CAF_CHECK(names.insert(tool.name).second);
    CAF_CHECK(!tool.description.empty());
    CAF_CHECK(tool.run != nullptr);
    json_document schema{tool.parameters};
    CAF_REQUIRE(schema.parsed_object());
    json_reader r{schema};
    CAF_CHECK_EQUAL(r.text("type").value_or(""), "object");
    CAF_CHECK(r.any("properties") != nullptr);
    r.object("properties");
    CAF_CHECK(r.array("required") != nullptr);
    CAF_CHECK(!r.error());
    CAF_CHECK(find_page_tool(tool.name) == &tool);
  }
  CAF_CHECK_EQUAL(names.size(), 22u);
  CAF_CHECK(find_page_tool("format_disk") == nullptr);
}

CAF_TEST(the model is given the table as it is) {
  const auto& schemas = page_tool_schemas();
  CAF_REQUIRE_EQUAL(schemas.size(), page_tools().size());
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    CAF_CHECK_EQUAL(schemas[i].name, page_tools()[i].name);
    CAF_CHECK_EQUAL(schemas[i].parameters_json, page_tools()[i].parameters);
  }
}

CAF_TEST(the tools that may change the page are followed by a screenshot) {
  std::set<std::string_view> changing;
  for (const auto& tool : page_tools())
    if (tool.changes_page)
      changing.insert(tool.name);
  CAF_CHECK_EQUAL(changing,
                  (std::set<std::string_view>{"navigate_to", "reload", "go_back",
                                              "click", "type_text", "press_key",
                                              "scroll", "select_option", "hover",
                                              "switch_tab", "close_tab", "open_tab",
                                              "upload_file"}));
}

CAF_TEST(every tool the offline planner calls is in the table) {
  auto plan = offline_planner::parse_command(
    "go to example.com then go back then reload then click Login then type "
    "\"bob\" into #user then press Enter then scroll down then wait for "
    "\"Welcome\" then list the links then read the page then read the title "
    "then take a screenshot then take a snapshot then click e12 then select "
    "Large in #size then hover over Menu then list the elements then upload "
    "cv.pdf into e7 then list the downloads");
  std::set<std::string> planned;
  for (const auto& step : plan.steps) {
    planned.insert(step.tool);
    CAF_CHECK(find_page_tool(step.tool) != nullptr);
  }
  CAF_CHECK_GREATER_OR_EQUAL(planned.size(), 17u);
  CAF_CHECK_EQUAL(plan.steps[13].arguments_json, R"({"ref":"e12"})");
  CAF_CHECK_EQUAL(plan.steps[14].arguments_json, R"({"target":"#size","option":"Large"})");
  CAF_CHECK_EQUAL(plan.steps[17].tool, "upload_file");
  CAF_CHECK_EQUAL(plan.steps[17].arguments_json, R"({"ref":"e7","artifact":"cv.pdf"})");
  CAF_CHECK_EQUAL(plan.steps[18].tool, "list_downloads");
}
