#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace agenttheo {

/// Every event the server streams. The names are the public contract of the
/// guide (`token`, `progress`, `tool_start`, ...) and appear verbatim as the SSE
/// `event:` field and the envelope's `type`.
enum class event_type : std::uint8_t {
  token,
  message,
  progress,
  tool_start,
  tool_end,
  update,
  custom,
  screenshot,
  start,
  complete,
  status,
  error,
  gap,
  /// A run waits for a person: an approval, a question, a takeover.
  interrupt,
  interrupt_resolved,
  /// Who holds the session's browser: the agent or a person.
  control,
  /// A file the page downloaded into the session's artifacts.
  artifact,
};

std::string_view to_string(event_type type);

std::optional<event_type> parse_event_type(std::string_view name);

/// The guide's three stream modes, as bits so a subscriber can ask for any
/// combination (`stream_mode=messages,updates`).
enum class stream_mode : std::uint8_t {
  messages = 1,
  updates = 2,
  custom = 4,
};

using mode_mask = std::uint8_t;

constexpr mode_mask all_modes = 1 | 2 | 4;

/// The mode an event belongs to, or nullopt for lifecycle events (`start`,
/// `complete`, `status`, `error`, `gap`, and the steering events
/// `interrupt`, `interrupt_resolved`, `control`) that every subscriber
/// receives, whatever its `stream_mode`.
std::optional<stream_mode> mode_of(event_type type);

/// True if a subscriber asking for `mask` receives events of `type`.
bool wants(mode_mask mask, event_type type);

/// Parses `messages`, `updates`, `custom` or a comma-separated list of them.
/// An empty string means all modes. Returns nullopt on an unknown name.
std::optional<mode_mask> parse_mode_mask(std::string_view text);

/// The canonical spelling of a mask (`messages,updates,custom`).
std::string mode_mask_to_string(mode_mask mask);

} // namespace agenttheo
