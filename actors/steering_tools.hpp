#pragma once

// The tools the session answers itself, with a person's help, instead of
// the page: `ask_user` (a question) and `request_takeover` (the person
// takes the browser, for a login or a CAPTCHA, and hands it back).

#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// The tools as the model is given them (with a browser): the page's,
/// then the steering tools.
const std::vector<tool_schema>& agent_tool_schemas();

bool is_steering_tool(std::string_view name);

/// `done {output}`, the tool that ends a run whose answer must follow
/// `output_schema`: its `output` parameter is that schema.
tool_schema done_tool(const std::string& output_schema);

/// `GET /api/tools`: `{"tools":[{"name","description","parameters",
/// "changes_page","approval_rules":[...]}],"count"}`, the table as the
/// model is given it (with a browser).
std::string agent_tools_json();

/// The JSON schema of a tool's arguments (page or steering tool), or null.
const std::string* tool_parameters(std::string_view name);

} // namespace agenttheo
