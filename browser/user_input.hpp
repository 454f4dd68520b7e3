#pragma once

// A person's input to the page while they hold control of the session's
// browser (WebSocket `{"type":"input","event":{...}}`), turned into the CDP
// `Input.*` command that performs it. Coordinates are in the screencast
// frame's space, which is the page's CSS pixels (the frame header's width
// and height).
//
//   {"type":"mousemove"|"mousedown"|"mouseup", "x", "y", "button"?,
//    "clickCount"?, "modifiers"?}
//   {"type":"wheel", "x", "y", "deltaX"?, "deltaY"?}
//   {"type":"keydown"|"keyup", "key", "code"?, "modifiers"?}
//   {"type":"char"|"text", "text"}

#include <string>
#include <string_view>
#include <variant>

namespace agenttheo {

struct cdp_command {
  std::string method;
  std::string params_json;
};

/// The command, or why the event cannot be performed (a sentence).
std::variant<cdp_command, std::string> input_command(std::string_view event_json);

} // namespace agenttheo
