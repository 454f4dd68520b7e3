#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "actors/event_log.hpp"
#include "actors/fanout_pacer.hpp"
#include "actors/fanout_round.hpp"
#include "actors/llm_call.hpp"
#include "actors/page.hpp"
#include "actors/run_budget.hpp"
#include "actors/sink_roster.hpp"
#include "actors/step_watch.hpp"
#include "actors/stream_watchers.hpp"
#include "browser/session_secrets.hpp"
#include "config/settings.hpp"
#include "llm/context_budget.hpp"
#include "messages/event_type.hpp"
#include "messages/interrupt.hpp"
#include "messages/messages.hpp"
#include "messages/payloads.hpp"
#include "messages/rerun_script.hpp"
#include "messages/run_state.hpp"
#include "metrics/actor_stats.hpp"
#include "store/frame_recorder.hpp"
#include "store/store_records.hpp"

namespace agenttheo {

class store_inbox;

/// The session limits from the configuration, plus what a session is
/// spawned with: its model, its browser, its page's settings.
struct session_settings : session_limits {
  /// The model every run of the session talks to.
  llm_runtime llm;
  /// The browser the session's page lives in; invalid: no browser, and a
  /// run whose model asks for a tool ends with capability_missing.
  caf::actor browser;
  page_settings page;
  /// Where it hands what changed (STORE=sqlite); null: nothing is kept.
  std::shared_ptr<store_inbox> store;
};

/// Who a session belongs to, and, after a restart, what it was.
struct session_origin {
  /// The client holding it (for the per-client limits).
  std::string client;
  /// From the store: the session comes back as it was.
  std::shared_ptr<const restored_session> restored;
  /// `POST /api/sessions`: its title, and its own secrets (over the
  /// server's; held in memory only).
  std::string title;
  std::vector<secret> secrets;
};

/// A rerun's place in the recording it repeats.
struct rerun_progress {
  rerun_script script;
  /// Steps taken from the script so far (the index of the next).
  std::size_t next = 0;
  /// The step (from 1) where the page was not where the recording was;
  /// 0: it has not diverged.
  std::uint64_t diverged_at = 0;

  /// Its steps come from the script, not the model.
  bool replaying() const {
    return !script.empty() && diverged_at == 0;
  }
};

/// Where a held run picks up when it goes on.
enum class held_move : std::uint8_t { none, ask_model, next_call };

/// One command's execution within a session.
struct run_record {
  std::uint64_t number = 0;
  std::string message_id;
  std::string command;
  std::string stream_mode;
  std::uint64_t first_id = 0;
  std::uint64_t last_id = 0;
  run_phase phase = run_phase::queued;
  run_outcome outcome = run_outcome::none;
  /// The answer, or what went wrong.
  std::string result;
  /// The request's max_steps, else the session's.
  std::uint64_t max_steps = 0;
  /// The request's max_failures; -1: the session's.
  std::int64_t max_failures = -1;
  /// Loops and failures in a row (set up as it begins), and the strongest
  /// verdict of the step under way.
  step_watch watch;
  step_watch::verdict step_verdict = step_watch::verdict::go_on;
  /// What it may spend: the request's budget under the server's ceilings.
  budget_limits budget;
  /// The model call under way: its prompt's estimated tokens and the
  /// tokens streamed so far (the budget is checked as they come).
  std::uint64_t call_prompt_estimate = 0;
  std::uint64_t call_streamed = 0;
  caf::actor llm;
  /// This run's part of the conversation: the command, then each step's
  /// assistant message and tool results.
  std::vector<chat_message> messages;
  std::uint64_t step = 0;
  /// Tool calls of the current step still running, and the results of
  /// those done (for the step's `update`).
  std::vector<caf::actor> tools;
  std::size_t tools_pending = 0;
  std::vector<tool_finished> step_results;
  /// The step's last screenshot, shown to the model after its results
  /// when it sees the page (LLM_VISION); empty otherwise.
  tool_finished step_view;
  /// The step's calls not begun yet: they run one at a time, each past the
  /// approval rules first.
  std::deque<tool_call> calls_waiting;
  /// The approval rules it runs under: the server's and the request's.
  std::uint16_t approve = 0;
  std::chrono::milliseconds interrupt_timeout{0};
  /// Held before its next step: paused, or a person holds the browser.
  bool paused = false;
  /// What it does when it goes on.
  held_move held = held_move::none;
  /// Its `request_takeover` call, waiting for the person to hand back.
  std::optional<tool_call> takeover_call;
  /// Said to the model at its next turn (the person had the browser).
  std::string note_for_model;
  /// The JSON Schema its answer must follow (`output_schema`); empty: any.
  std::string output_schema;
  /// Answers that did not follow it (the second ends the run).
  std::uint32_t bad_outputs = 0;
  std::uint64_t tokens_streamed = 0;
  payload::usage usage;
  /// Its page's frames, kept on disk (RECORD).
  frame_recorder frames;
  /// `POST /api/runs/{id}/rerun`: the recording it repeats.
  rerun_progress rerun;
  std::chrono::steady_clock::time_point started;
  /// When its request reached the server, for a run that began at once
  /// (first_token_added); unset for one that waited its turn or was held.
  std::chrono::steady_clock::time_point requested;
  std::int64_t created_at_ms = 0;
  std::int64_t ended_at_ms = 0;

  bool finished() const {
    return phase == run_phase::finished;
  }
};

/// An interrupt and what the session needs to carry it out: the tool call
/// it gates, and its timer (voided by bumping `generation`).
struct interrupt_entry {
  interrupt_record record;
  tool_call call;
  std::chrono::steady_clock::time_point deadline;
  /// While its run is paused: the time it had left.
  std::chrono::milliseconds remaining{0};
  std::uint64_t generation = 0;

  /// It belongs to `run` and still waits for a decision.
  bool pending_for(const run_record& run) const {
    return !record.resolved && record.message_id == run.message_id;
  }
};

/// Who holds the session's browser.
struct browser_control {
  /// A person (through the API or a WebSocket) instead of the agent.
  bool user = false;
  /// The client that holds it (its API token, else its address).
  std::string client;
  /// How they took it: api, ws, operator.
  std::string by;
};

/// A connection actor watching one run of this session, or (empty
/// `message_id`) every run of it.
struct subscriber_entry {
  caf::actor handle;
  std::string message_id;
  mode_mask modes = all_modes;
  /// Wants the page's screencast (`video_frame`s).
  bool frames = false;
  /// Its gateway's relay: live rounds go there, once per relay, not to it.
  caf::actor via;
  /// Its events go to its socket directly (`session_state::sinks`).
  bool direct = false;
};

/// One conversation: its runs, its event log (the replay window), and the
/// connections watching it. Every event it emits gets the next id, goes into
/// the log, and is sent, encoded once, to each subscriber that wants it.
struct session_state {
  std::string id;
  /// Its first command, shortened, until renamed (`PATCH`).
  std::string title;
  /// The client holding it.
  std::string client;
  session_settings settings;
  /// The server's secrets with its own over them; `settings.page.secrets`
  /// is its vault.
  session_secrets secrets;
  caf::actor manager;
  /// The session's browser page, spawned on its first tool call.
  caf::actor page;
  /// The page was last told a run is in progress (`context_active_atom`).
  bool page_active = false;
  /// Page tools an MCP client runs outside any run, under way now.
  std::uint32_t direct_tools = 0;
  /// The frame rate the page was told to screencast at: SCREENCAST_FPS
  /// while some subscriber wants frames, RECORD_FPS while only a running
  /// run's recording does, 0 for none.
  std::uint32_t screencast_fps = 0;
  /// The URL the page showed after its last tool, told to the model.
  std::string page_url;
  /// What earlier runs said and did (no system prompt), kept within the
  /// context budget.
  std::vector<chat_message> conversation;
  /// What fitting the last prompt into the budget took.
  budget_report last_budget;
  /// What all its runs used (the forgotten ones too).
  payload::usage usage;
  event_log log{1, 0};
  std::uint64_t next_id = 1;
  std::uint64_t runs_started = 0;
  std::deque<run_record> runs;
  /// Queued runs by messageId, the next to start first.
  std::deque<std::string> queue;
  std::vector<subscriber_entry> subscribers;
  /// How many of `subscribers` want screencast frames (kept with them, so
  /// a subscriber leaving does not scan the others).
  std::size_t frame_subscribers = 0;
  /// The subscribers of this node, told when the session ends (they do not
  /// monitor it); shared with the exit hook that tells them.
  std::shared_ptr<stream_watchers> watchers
    = std::make_shared<stream_watchers>();
  /// The subscribers' sockets this session writes to directly.
  sink_roster sinks;
  /// The I/O context of the stream that started the latest run, which the
  /// run's first model call reads near (`llm_request::near`): the run starts
  /// before that stream is among `sinks`.
  const void* starter_context = nullptr;
  /// Events logged but waiting for their delivery round, in id order.
  std::vector<event_ptr> held;
  fanout_pacer pacer;
  /// The last round's messages (and jobs), until every subscriber (and
  /// sink) took them.
  fanout_round round;
  /// A round is scheduled: a `fanout_atom` is on its way (the pacer's
  /// timer, or the last round absorbed).
  bool round_armed = false;
  /// Open `one_round` scopes: events wait for the outermost one's end.
  unsigned rounds_held = 0;
  std::uint64_t idle_generation = 0;
  std::int64_t created_at_ms = 0;
  /// Shutting down or being deleted: no run starts any more.
  bool stopping = false;
  /// Pending interrupts, then the last decided ones (for a clear 409).
  std::deque<interrupt_entry> interrupts;
  /// Hosts its page has loaded, for the `new_host` rule.
  std::set<std::string> visited_hosts;
  browser_control control;
  /// Live counters the registry reads.
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "session";
};

caf::behavior session(caf::stateful_actor<session_state>* self, std::string id,
                      session_settings settings, caf::actor manager,
                      session_origin origin);

} // namespace agenttheo
