#pragma once

// get_page_snapshot on the page actor: reads the accessibility tree of the
// main frame and of each frame under it over CDP, renders it
// (browser/ax_snapshot.hpp), and remembers the refs it gave.

#include <cstddef>

#include "actors/page_actions.hpp"

namespace agenttheo {

/// More frames than this are shown as frames without their content.
constexpr std::size_t max_snapshot_frames = 16;

void snapshot_page(page_self self, std::size_t max_chars, tool_done done);

} // namespace agenttheo
