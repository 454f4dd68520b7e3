#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/response_promise.hpp>

#include "actors/browser.hpp"
#include "actors/page_wait.hpp"
#include "browser/secret_vault.hpp"
#include "browser/egress_journal.hpp"
#include "browser/egress_policy.hpp"
#include "browser/element_refs.hpp"
#include "browser/storage_state.hpp"
#include "config/settings.hpp"
#include "store/artifact_folder.hpp"
#include "messages/browser_messages.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

/// The page options from the configuration, plus what only the page needs.
struct page_settings : page_options {
  /// The egress policy, for a clear answer about a URL the model asks for
  /// before it loads (the egress proxy enforces it on every request).
  egress_policy policy;
  /// The egress proxy's refusals, read when a tunnel failed.
  std::shared_ptr<const egress_journal> egress;
  /// Longest tool output handed back (to the model and into events).
  std::size_t max_output = 8000;
  /// A navigation that has not fired `load` by then is reported as such.
  std::chrono::milliseconds load_timeout{15'000};
  std::chrono::milliseconds cdp_timeout{30'000};
  /// The session the page belongs to, for the admin view.
  std::string session_id;
  /// Where the page was before the server restarted (from the store):
  /// reopened as it was on the first tool.
  std::optional<storage_state> restored;
  /// The secrets type_text fills in (SECRETS_FILE); never null.
  std::shared_ptr<const secret_vault> secrets = std::make_shared<secret_vault>();
};

/// A session's page: its own browser context, opened on first use, closed
/// when the actor exits, lent to another session while this one is idle and
/// someone needs it (see page_parking.hpp). Runs tools one at a time, in
/// arrival order.
struct page_state {
  caf::actor browser;
  caf::actor owner;
  page_settings settings;
  /// Shared with the exit hook, which closes the context.
  std::shared_ptr<page_handle> handle = std::make_shared<page_handle>();
  /// Live counters the registry reads; "open" while it holds a context.
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();
  struct queued {
    tool_request request;
    /// Told `tool_begun_atom` when the tool starts (its timeout starts then).
    caf::actor requester;
    caf::typed_response_promise<tool_result> promise;
  };
  std::deque<queued> queue;
  bool busy = false;
  /// The session is running a command: its context is not lent out.
  bool active = true;
  /// The browser asked for the context back; given once no tool runs.
  bool yield_wanted = false;
  /// Where the page was when its context was lent out: reopened as it was
  /// on the next tool.
  std::optional<storage_state> parked;
  /// `parked` is what the store kept from before a restart.
  bool restarted = false;
  /// Until the page fires `load` (or the load timeout passes).
  page_wait load_wait;
  /// The main frame started loading and has not fired `load` yet.
  bool loading = false;
  /// An action's settle time (a timer only: it never ends early).
  page_wait settle_wait;
  std::vector<std::string> dialogs;
  /// The refs get_page_snapshot handed out for the document shown now.
  element_refs refs;
  /// The context's tabs (see page_tabs.hpp); `handle` speaks to the one
  /// numbered `active_tab`.
  struct tab {
    std::uint32_t number = 0;
    std::string target_id;
    /// Its flat CDP session.
    std::string cdp_target;
    std::string title;
    std::string url;
  };
  std::vector<tab> tabs;
  std::uint32_t active_tab = 0;
  std::uint32_t next_tab_number = 1;
  /// The session's artifact folder (see page_files.hpp); none without a
  /// session id, and then downloads are refused.
  std::optional<artifact_folder> artifacts;
  /// Downloads under way, by CDP guid.
  struct download {
    std::string name;
    /// Bytes the folder had room for when it began.
    std::uint64_t room = 0;
  };
  std::map<std::string, download> downloads;
  /// The main frame's last navigation brought no new document (no
  /// `Page.frameNavigated` since it started loading): it may have become a
  /// download, which Chrome tells of only after the navigation stops, so
  /// the next wait for downloads gives one a moment to begin.
  bool download_may_follow = false;
  /// Until no download is under way (or the load timeout passes).
  page_wait downloads_wait;
  /// What happened to files during the running tool, added to its output.
  std::vector<std::string> file_notes;
  /// The tool running now, for notes.
  std::string current_tool;
  /// The owner wants the live view; it starts once the context is open.
  bool screencast_wanted = false;
  /// Most frames a second the owner wants: SCREENCAST_FPS while someone
  /// watches, RECORD_FPS while only the recording does.
  std::uint32_t screencast_fps = 1;
  bool screencasting = false;
  std::chrono::steady_clock::time_point last_frame_sent;

  static inline const char* name = "page";
};

/// The session's secrets changed (`PATCH /api/sessions/{id}`). Sent only
/// to the page it spawned, on its own node: the vault never serializes.
struct page_secrets {
  std::shared_ptr<const secret_vault> vault;
};

/// `owner` (the session; may be invalid in tests): the page ends with it,
/// and tells it `browser_lost_atom` when Chromium dies.
caf::behavior page(caf::stateful_actor<page_state>* self, caf::actor browser,
                   page_settings settings, caf::actor owner);

} // namespace agenttheo

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agenttheo::page_secrets)
