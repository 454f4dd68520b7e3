#pragma once

// What a page's tools are made of: CDP calls, scripts evaluated in the
// page, waiting for loads, keys, screenshots. Each runs on the page actor
// and answers through a callback, never blocking it.

#include <chrono>
#include <functional>
#include <string>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/page.hpp"
#include "messages/browser_messages.hpp"

namespace agenttheo {

using page_self = caf::stateful_actor<page_state>*;
using tool_done = std::function<void(tool_result)>;

/// The page's load timeout fired (for the load numbered by the payload).
using load_timeout_atom = caf::atom_constant<caf::atom("load_tmo")>;
/// An action's settle time is over (for the action numbered by the payload).
using settle_atom = caf::atom_constant<caf::atom("settle")>;

tool_result fail(std::string why);

tool_result succeeded(std::string output);

/// `text` as a JSON string literal, for a script's argument.
std::string quoted(const std::string& text);

/// Tells the session what the running tool is doing (a `custom` event).
void note(page_self self, std::string message);

/// A CDP command to the page's own session.
void cdp(page_self self, const std::string& method, const std::string& params,
         std::function<void(cdp_result)> on_reply);

/// A CDP command to the browser itself, outside any page (its contexts'
/// cookie stores).
void browser_cdp(page_self self, const std::string& method,
                 const std::string& params, std::function<void(cdp_result)> on_reply);

/// A script whose value is a string: the tool's output.
void eval_text(page_self self, const std::string& expression, tool_done done);

/// A script whose value is `{ok, output}`.
void eval_outcome(page_self self, const std::string& expression,
                  tool_done done);

/// Calls `then` once the page is not loading (or the load timeout passed).
void when_idle(page_self self, std::function<void(bool loaded)> then);

/// `done`, after a moment for an action (a click, a key) to start a
/// navigation and, if it did, after the new page has loaded.
tool_done settled(page_self self, tool_done done);

/// Runs `start` (which begins a navigation to `url`, empty when the page
/// goes back or reloads), waits for the page's load event or the load
/// timeout, then reports the page's title as `what`. A navigation the
/// browser refuses fails with a sentence and the browser's error code.
void navigate_and_wait(
  page_self self, const std::string& what, const std::string& url,
  std::function<void(std::function<void(cdp_result)>)> start, tool_done done);

/// `Page.navigate` to `url` through navigate_and_wait (no policy check:
/// the caller made it).
void open_url(page_self self, const std::string& what, const std::string& url,
              tool_done done);

/// Presses `key` (a name such as Enter, or one character).
void press(page_self self, const std::string& key, tool_done done);

/// A JPEG of the page, with its URL.
void capture(page_self self, bool full_page, tool_done done);

} // namespace agenttheo
