#pragma once

// A session's title: what a person recognises it by in the sidebar and the
// admin console. Its first command, shortened, until someone renames it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// Longest title kept, in bytes (a rename may not exceed it either).
constexpr std::size_t max_title_bytes = 120;

/// `command` on one line, shortened to about `max` bytes at a word
/// boundary, with "…" when cut; never cuts a UTF-8 sequence.
std::string title_from_command(std::string_view command, std::size_t max = 60);

/// A title someone chose: trimmed, or nothing when it is empty, too long
/// (`max_title_bytes`) or holds control characters (says which, into `why`).
std::optional<std::string> checked_title(std::string_view title, std::string& why);

} // namespace agenttheo
