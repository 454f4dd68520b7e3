#include "browser/user_input.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr double max_coordinate = 10'000;
constexpr std::size_t max_text = 1'000;

/// Windows virtual key codes CDP needs to make a named key do its job.
constexpr std::array<std::pair<std::string_view, int>, 14> key_codes = {{
  {"Backspace", 8}, {"Tab", 9}, {"Enter", 13}, {"Escape", 27}, {" ", 32},
  {"PageUp", 33}, {"PageDown", 34}, {"End", 35}, {"Home", 36},
  {"ArrowLeft", 37}, {"ArrowUp", 38}, {"ArrowRight", 39}, {"ArrowDown", 40},
  {"Delete", 46},
}};

int key_code(std::string_view key) {
  for (auto [name, code] : key_codes)
    if (name == key)
      return code;
  if (key.size() == 1) {
    auto c = key.front();
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 'A';
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      return c;
  }
  return 0;
}

/// What a key down types: one character, or Enter's carriage return.
std::string typed_text(std::string_view key) {
  if (key == "Enter")
    return "\r";
  if (key.size() == 1 || (key.size() <= 4 && static_cast<unsigned char>(key[0]) >= 0xC0))
    return std::string{key};
  return {};
}

std::variant<cdp_command, std::string> mouse(json_reader& in, std::string_view type) {
  auto x = in.number("x");
  auto y = in.number("y");
  if (!x || !y)
    return std::string{"a mouse event needs numbers x and y"};
  if (*x < 0 || *y < 0 || *x > max_coordinate || *y > max_coordinate)
    return std::string{"x and y must be within the frame"};
  auto button = std::string{in.text("button").value_or(type == "mousemove" ? "none" : "left")};
  if (button != "none" && button != "left" && button != "middle" && button != "right")
    return std::string{"button must be none, left, middle or right"};
  json_writer p;
  p.begin_object();
  if (type == "wheel") {
    p.field("type", "mouseWheel")
      .field("deltaX", std::clamp(in.number("deltaX").value_or(0), -max_coordinate, max_coordinate))
      .field("deltaY", std::clamp(in.number("deltaY").value_or(0), -max_coordinate, max_coordinate));
  } else {
    p.field("type", type == "mousemove" ? "mouseMoved"
                    : type == "mousedown" ? "mousePressed"
                                          : "mouseReleased")
      .field("button", button)
      .field("clickCount", std::clamp<std::int64_t>(
                             in.integer("clickCount").value_or(type == "mousemove" ? 0 : 1), 0, 3));
  }
  p.field("x", *x)
    .field("y", *y)
    .field("modifiers", std::clamp<std::int64_t>(in.integer("modifiers").value_or(0), 0, 15))
    .end_object();
  return cdp_command{"Input.dispatchMouseEvent", p.str()};
}

std::variant<cdp_command, std::string> key(json_reader& in, std::string_view type) {
  auto name = in.text("key");
  if (!name || name->empty() || name->size() > 32)
    return std::string{"a key event needs its key (as KeyboardEvent.key names it)"};
  auto text = type == "keydown" ? typed_text(*name) : std::string{};
  json_writer p;
  p.begin_object()
    .field("type", type == "keyup" ? "keyUp" : text.empty() ? "rawKeyDown" : "keyDown")
    .field("key", *name)
    .field("code", in.text("code").value_or(""))
    .field("windowsVirtualKeyCode", key_code(*name))
    .field("modifiers", std::clamp<std::int64_t>(in.integer("modifiers").value_or(0), 0, 15));
  if (!text.empty())
    p.field("text", text).field("unmodifiedText", text);
  p.end_object();
  return cdp_command{"Input.dispatchKeyEvent", p.str()};
}

} // namespace

std::variant<cdp_command, std::string> input_command(std::string_view event_json) {
  json_document doc{event_json};
  if (!doc.parsed_object())
    return std::string{"event must be a JSON object"};
  json_reader in{doc};
  auto type = std::string{in.text("type").value_or("")};
  if (type == "mousemove" || type == "mousedown" || type == "mouseup" || type == "wheel")
    return mouse(in, type);
  if (type == "keydown" || type == "keyup")
    return key(in, type);
  if (type == "char" || type == "text") {
    auto text = in.text("text");
    if (!text || text->empty() || text->size() > max_text)
      return std::string{"text must be 1 to 1000 bytes"};
    json_writer p;
    p.begin_object().field("text", *text).end_object();
    return cdp_command{"Input.insertText", p.str()};
  }
  return std::string{"event.type must be mousemove, mousedown, mouseup, wheel, "
                     "keydown, keyup, char or text"};
}

} // namespace agenttheo
