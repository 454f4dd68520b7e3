#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <deque>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_response_promise.hpp>

#include "browser/cdp_pipe.hpp"
#include "browser/chromium_process.hpp"
#include "browser/context_pool.hpp"
#include "config/settings.hpp"
#include "messages/browser_messages.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

/// The browser options from the configuration, plus its CDP timeouts.
struct browser_settings : browser_options {
  /// Every CDP request fails after this long without a reply.
  std::chrono::milliseconds request_timeout{30'000};
  /// Requests sent before a freshly launched Chromium has answered anything
  /// get at least this long: they include its start-up.
  std::chrono::milliseconds startup_timeout{30'000};
};

/// A launched Chromium and its pipe, shared with the actor's exit hook
/// (which may run after the actor's state is gone).
struct running_chromium {
  std::optional<chromium_process> process;
  std::unique_ptr<cdp_pipe> pipe;

  /// Kills it (if running), joins the pipe, frees the profile.
  void stop();
};

/// Owns one Chromium process and speaks CDP with it: request ids matched to
/// replies, a timeout on every request, events routed by `sessionId` to the
/// page listening on it (`listen_atom`), and `browser_lost_atom` to every
/// listener when Chromium dies. At the context limit it takes a context back
/// from an idle session (`yield_context_atom` to its page, least recently
/// used first); a request waits only while every context is running. Launches Chromium on first use, and
/// again after it died (failing what was in flight). Kills it when the actor
/// exits, whatever the reason.
struct browser_state {
  using reply_handler = std::function<void(cdp_result)>;

  browser_settings settings;
  std::shared_ptr<running_chromium> chromium
    = std::make_shared<running_chromium>();
  /// Increments per launch, so messages from a dead browser are ignored.
  std::uint64_t generation = 0;
  /// The current Chromium has answered at least once.
  bool ready = false;
  std::uint64_t next_id = 1;
  std::unordered_map<std::uint64_t, reply_handler> pending;
  /// Pages listening for the events of their CDP session.
  std::unordered_map<std::string, caf::actor> listeners;
  /// Contexts open and opening, what `max_contexts` bounds, and which of
  /// them belong to idle sessions (lent out on demand).
  context_pool pool;
  /// The page holding each open context: asked to give it up when idle.
  std::unordered_map<std::string, caf::actor> holders;
  struct waiter {
    caf::typed_response_promise<page_handle> promise;
    /// Told its place in line (`context_wait_atom`).
    caf::actor page;
  };
  /// `open_page` requests waiting for a free context, oldest first.
  std::deque<waiter> waiting;
  /// Contexts made ahead (BROWSER_POOL), each with its blank page
  /// attached, for the next new sessions; and those being made.
  std::deque<page_handle> spares;
  std::size_t spares_opening = 0;
  /// A refill_pool_atom is on its way.
  bool refill_armed = false;

  /// Live counters the registry reads.
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "browser";
};

caf::behavior browser(caf::stateful_actor<browser_state>* self,
                      browser_settings settings);

} // namespace agenttheo
