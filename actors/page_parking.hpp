#pragma once

// Lending an idle session's browser context to another session, and taking
// one up again: the page saves where it was (address, cookies, its origin's
// localStorage), closes the context, and on its next tool reopens the page
// as it left it.

#include <functional>

#include "actors/page_actions.hpp"

namespace agenttheo {

/// Reads where the page is, its cookies and its origin's localStorage
/// (the page must have a context).
void capture(page_self self, std::function<void(storage_state)> done);

/// Saves the page's state into `self->state.parked`, closes its context and
/// calls `done`. Does nothing but call `done` without a context.
void park(page_self self, std::function<void()> done);

/// After a fresh context opened: puts the parked state back (cookies, then
/// the address with its localStorage) and tells the owner; `done` either
/// way (a page that cannot be reopened leaves a blank one).
void unpark(page_self self, std::function<void()> done);

} // namespace agenttheo
