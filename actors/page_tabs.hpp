#pragma once

// A session's tabs: every page target of its browser context. The page
// actor's handle always speaks to the active tab; a popup or a
// target=_blank link the page opened joins the tabs and becomes active
// (as a browser shows it) when the next tool looks (Target.getTargets,
// before each tool). At most MAX_TABS: a popup past it is closed again and
// the model told. The tabs close with the context, with the session.

#include <cstdint>
#include <functional>
#include <string>

#include "actors/page_actions.hpp"

namespace agenttheo {

/// Brings the tab list up to date with the context's page targets, then
/// calls `then`: new tabs attached (the newest opened becomes active),
/// tabs the page closed itself dropped.
void sync_tabs(page_self self, std::function<void()> then);

/// The first tab of a freshly opened context.
void reset_tabs(page_self self);

void list_tabs(page_self self, tool_done done);
void switch_tab(page_self self, std::uint32_t number, tool_done done);
void close_tab(page_self self, std::uint32_t number, tool_done done);
/// A new tab at `url` (already checked against the navigation policy).
void open_tab(page_self self, const std::string& url, tool_done done);

} // namespace agenttheo
