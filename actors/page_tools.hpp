#pragma once

// The agent's browser tools, one row each: the name and JSON schema the
// model is given, whether the tool may change the page (then a screenshot
// follows), and the function that runs it on the page actor. Adding a tool
// is adding a row.

#include <string>
#include <string_view>
#include <vector>

#include "actors/page_actions.hpp"
#include "messages/chat_types.hpp"

namespace agenttheo {

class json_reader;

struct page_tool {
  std::string_view name;
  std::string_view description;
  /// JSON schema of the arguments object.
  std::string parameters;
  /// The page may look different after it: followed by a screenshot when
  /// `screenshot_after_actions` is on.
  bool changes_page;
  void (*run)(page_self self, json_reader& args, tool_done done);
};

const std::vector<page_tool>& page_tools();

/// The row named `name`, or null.
const page_tool* find_page_tool(std::string_view name);

/// The tools as the model is given them.
const std::vector<tool_schema>& page_tool_schemas();

} // namespace agenttheo
