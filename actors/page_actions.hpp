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
/// A script's value as JSON text (ok), or why it failed.
using value_done = std::function<void(bool ok, std::string value_json)>;
/// A script's argument around the element it acts on, given as a
/// JavaScript expression (the target's text quoted, or `this`).
using element_argument = std::function<std::string(const std::string& target_js)>;

class json_reader;

/// The page's load timeout fired (for the load numbered by the payload).
using load_timeout_atom = caf::atom_constant<caf::atom("load_tmo")>;
/// An action's settle time is over (for the action numbered by the payload).
using settle_atom = caf::atom_constant<caf::atom("settle")>;
/// The wait for an action's downloads is over (numbered by the payload).
using downloads_timeout_atom = caf::atom_constant<caf::atom("dl_tmo")>;

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

/// A script's value, whatever it is.
void evaluate(page_self self, const std::string& expression, value_done on_value);

/// A script whose value is an object, left in the page: its remote object
/// id (for a command that takes a node, such as DOM.setFileInputFiles).
void evaluate_object(page_self self, const std::string& expression,
                     value_done on_object);

/// How a tool's arguments name an element: `ref`, from get_page_snapshot,
/// else `target` (text, a selector or a number). Kept as text, it outlives
/// the arguments (a tool that first asks the page something).
struct element_name {
  std::string ref;
  std::string target;

  static element_name of(json_reader& args);
};

/// Runs page script `script` (see page_scripts.hpp) on the element `name`
/// names: a ref's node (the script is called on it, in whichever frame it
/// lives), else the target, resolved by the script in the main frame. A
/// stale ref fails with a sentence telling the model to look again.
void on_element(page_self self, const element_name& name, std::string_view script,
                const element_argument& argument, value_done on_value);

void on_element(page_self self, json_reader& args, std::string_view script,
                const element_argument& argument, value_done on_value);

/// on_element for a script whose value is `{ok, output}`.
void element_outcome(page_self self, const element_name& name, std::string_view script,
                     const element_argument& argument, tool_done done);

void element_outcome(page_self self, json_reader& args, std::string_view script,
                     const element_argument& argument, tool_done done);

/// The target alone as the script's argument.
inline std::string target_only(const std::string& target_js) {
  return target_js;
}

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

/// Starts or stops the live view's screencast of the active tab to match
/// what the owner wants, once the page has a context.
void sync_screencast(page_self self);

/// A JPEG of the page, with its URL.
void capture(page_self self, bool full_page, tool_done done);

} // namespace agenttheo
