#include "messages/event_type.hpp"

#include <array>
#include <string>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

constexpr std::array<std::string_view, 17> event_names = {
  "token",  "message", "progress",  "tool_start", "tool_end",
  "update", "custom",  "screenshot", "start",     "complete",
  "status", "error",   "gap",        "interrupt", "interrupt_resolved",
  "control", "artifact",
};

struct mode_name {
  std::string_view name;
  stream_mode mode;
};

constexpr std::array<mode_name, 3> mode_names = {{
  {"messages", stream_mode::messages},
  {"updates", stream_mode::updates},
  {"custom", stream_mode::custom},
}};

} // namespace

std::string_view to_string(event_type type) {
  return event_names[static_cast<std::size_t>(type)];
}

std::optional<event_type> parse_event_type(std::string_view name) {
  for (std::size_t i = 0; i < event_names.size(); ++i)
    if (event_names[i] == name)
      return static_cast<event_type>(i);
  return std::nullopt;
}

std::optional<stream_mode> mode_of(event_type type) {
  switch (type) {
    case event_type::token:
    case event_type::message:
      return stream_mode::messages;
    case event_type::progress:
    case event_type::tool_start:
    case event_type::tool_end:
    case event_type::update:
    case event_type::screenshot:
    case event_type::artifact:
      return stream_mode::updates;
    case event_type::custom:
      return stream_mode::custom;
    default:
      return std::nullopt;
  }
}

bool wants(mode_mask mask, event_type type) {
  auto mode = mode_of(type);
  return !mode || (mask & static_cast<mode_mask>(*mode)) != 0;
}

std::optional<mode_mask> parse_mode_mask(std::string_view text) {
  if (trim_view(text).empty())
    return all_modes;
  mode_mask mask = 0;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim_view(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{}
                                           : text.substr(comma + 1);
    bool known = false;
    for (const auto& m : mode_names)
      if (m.name == item) {
        mask |= static_cast<mode_mask>(m.mode);
        known = true;
      }
    if (!known)
      return std::nullopt;
  }
  return mask;
}

std::string mode_mask_to_string(mode_mask mask) {
  std::string result;
  for (const auto& m : mode_names)
    if (mask & static_cast<mode_mask>(m.mode)) {
      if (!result.empty())
        result += ',';
      result += m.name;
    }
  return result;
}

} // namespace agenttheo
