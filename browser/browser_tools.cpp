#include "browser/browser_tools.hpp"

namespace agenttheo {

namespace {

constexpr const char* target_schema
  = R"({"type":"string","description":"the number of an element from get_interactive_elements, its visible text, or a CSS selector"})";

std::string object(const std::string& properties, const std::string& required) {
  return R"({"type":"object","properties":{)" + properties + R"(},"required":[)"
         + required + "]}";
}

} // namespace

const std::vector<tool_schema>& browser_tools() {
  static const std::vector<tool_schema> tools = {
    {"navigate_to", "Open a URL (http or https) in the browser and wait for it to load.",
     object(R"("url":{"type":"string"})", R"("url")")},
    {"go_back", "Go back to the previous page.", object("", "")},
    {"reload", "Reload the current page.", object("", "")},
    {"click", "Click an element.",
     object(std::string{R"("target":)"} + target_schema, R"("target")")},
    {"type_text", "Type text into an input field, optionally submitting it.",
     object(std::string{R"("target":)"} + target_schema
              + R"(,"text":{"type":"string"},"submit":{"type":"boolean"})",
            R"("target","text")")},
    {"press_key", "Press a key, such as Enter, Tab, Escape or ArrowDown.",
     object(R"("key":{"type":"string"})", R"("key")")},
    {"scroll", "Scroll the page.",
     object(R"("direction":{"type":"string","enum":["up","down"]},"amount":{"type":"integer","description":"pixels; default most of a screen"})",
            R"("direction")")},
    {"wait_for", "Wait until a text or a CSS selector appears on the page.",
     object(R"("text":{"type":"string"},"selector":{"type":"string"},"timeout_ms":{"type":"integer"})",
            "")},
    {"get_interactive_elements",
     "List the visible links, buttons and fields, numbered for click and type_text.",
     object("", "")},
    {"get_page_text", "Read the page's visible text.",
     object(R"("max_chars":{"type":"integer"})", "")},
    {"get_title", "Read the page's title.", object("", "")},
    {"get_links", "List the page's links with their text and URL.", object("", "")},
    {"take_screenshot", "Take a screenshot of the page.",
     object(R"("full_page":{"type":"boolean"})", "")},
  };
  return tools;
}

} // namespace agenttheo
