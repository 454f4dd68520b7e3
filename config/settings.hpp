#pragma once

// The parts of the configuration that actors and sockets take as they are.
// Each default is written here once: server_config holds these structs,
// and the settings an actor or a socket writer is spawned with extend them
// (session_settings is a session_limits plus the handles it needs).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// What bounds one session: its event log, its runs, its idle life, its
/// model turns and their tools, and its fan-out pace.
/// What one client (its API token, else its address) may hold and do;
/// 0 is no limit.
struct client_limits {
  /// Sessions it holds at once (CLIENT_MAX_SESSIONS).
  std::size_t max_sessions = 100;
  /// Runs it starts a minute, in bursts of up to as many
  /// (CLIENT_RUNS_PER_MINUTE).
  std::size_t runs_per_minute = 120;
  /// SSE and WebSocket streams it has open at once (CLIENT_MAX_STREAMS).
  std::size_t max_streams = 256;
  /// Messages a second each of its WebSockets may send, in bursts of twice
  /// as many (CLIENT_WS_MESSAGES_PER_SECOND).
  std::size_t ws_messages_per_second = 20;
  /// Input events a second each WebSocket may send to a page it controls,
  /// in bursts of twice as many (INPUT_EVENTS_PER_SECOND); they do not
  /// count against `ws_messages_per_second`.
  std::size_t input_events_per_second = 120;
};

struct session_limits {
  /// Events and bytes its log keeps (the replay window for resume and
  /// join): EVENT_LOG_MAX_EVENTS, EVENT_LOG_MAX_BYTES.
  std::size_t log_max_events = 10'000;
  std::size_t log_max_bytes = 16u << 20;
  /// Finished runs it remembers (MAX_RUNS_PER_SESSION).
  std::size_t max_runs = 64;
  /// With no run and no subscriber this long, it ends.
  std::chrono::milliseconds idle_timeout{15 * 60 * 1000};
  /// Longest a browser tool may take.
  std::chrono::milliseconds tool_timeout{30'000};
  /// Model turns per run, unless the request asks for fewer or more.
  std::uint64_t max_steps = 10;
  /// The same call on an unchanged page this many times in a run: the
  /// model is told it repeats itself (LOOP_NUDGE); this many, the run ends
  /// with `loop_detected` (LOOP_STOP). 0: never.
  std::uint32_t loop_nudge = 3;
  std::uint32_t loop_stop = 6;
  /// Failed tool calls in a row that end a run with `too_many_failures`,
  /// unless the request says (MAX_FAILURES). 0: never.
  std::uint32_t max_failures = 3;
  /// Ceilings on every run (RUN_MAX_TOKENS, RUN_MAX_COST_USD,
  /// RUN_MAX_DURATION): a request may ask for less, never more. 0: none.
  std::uint64_t run_max_tokens = 0;
  double run_max_cost_usd = 0;
  std::chrono::milliseconds run_max_duration{0};
  /// What a session's runs may use together (SESSION_MAX_TOKENS,
  /// SESSION_MAX_COST_USD). 0: no limit.
  std::uint64_t session_max_tokens = 0;
  double session_max_cost_usd = 0;
  /// Estimated tokens a prompt may hold; older tool outputs, then older
  /// turns, are trimmed to fit. 0: no limit.
  std::size_t context_budget = 24'000;
  /// Runs that may wait behind the running one (`multitask=enqueue`).
  std::size_t max_queued_runs = 8;
  /// Deliveries per second its fan-out is paced to: beyond it, events wait
  /// for the next round and share its writes (fanout_pacer). 0: no pacer,
  /// a round waits only for the last one to be absorbed (fanout_round);
  /// no fan-out row measured consistently worse without the pacer.
  double fanout_rate = 0;
  /// What needs a person's approval before it runs (APPROVE): bits of
  /// config/approval_rules.hpp; a run may add rules, never remove them.
  std::uint16_t approve = 0;
  /// How long an interrupt waits for a decision before its default applies
  /// (INTERRUPT_TIMEOUT; a run's `interrupt_timeout` overrides).
  std::chrono::milliseconds interrupt_timeout{10 * 60 * 1000};
};

/// Where sessions, runs and events are kept (STORE).
enum class store_kind {
  /// An SQLite database: everything comes back after a restart.
  sqlite,
  /// Nothing outlives the process (tests, benchmarks).
  memory,
};

struct store_config {
  store_kind kind = store_kind::sqlite;
  std::string path = "data/agenttheo.db";
  /// Sessions that ended (idled out) longer ago are deleted.
  std::chrono::milliseconds retention{7LL * 24 * 3600 * 1000};
  /// Group commit: what waits is written this often, in one transaction.
  std::chrono::milliseconds flush_interval{50};
  /// `PRAGMA synchronous=FULL` instead of NORMAL.
  bool full_sync = false;
  /// Bytes that may wait for the disk before new runs are refused.
  std::size_t max_pending_bytes = 64u << 20;
};

/// What a session's page does besides running tools.
struct page_options {
  /// A `screenshot` event after each action that may change the page.
  bool screenshot_after_actions = true;
  /// Most screencast frames per second sent to WebSocket clients that ask
  /// for the page's live view.
  unsigned screencast_fps = 5;
  /// Most tabs a session may have open (MAX_TABS).
  unsigned max_tabs = 8;
  /// The model sees the page (LLM_VISION resolved at startup): screenshots
  /// are then taken at most `vision_max_width` wide, at `vision_quality`.
  bool vision = false;
  unsigned vision_max_width = 1024;
  unsigned vision_quality = 70;
  /// Each session's downloads and posted files go to
  /// `<artifacts_dir>/<session id>/` (ARTIFACTS_DIR), which holds at most
  /// `max_artifact_bytes` (MAX_ARTIFACT_BYTES).
  std::string artifacts_dir = "data/artifacts";
  std::size_t max_artifact_bytes = 64u << 20;
  /// Each run keeps its page's frames beside its artifacts (RECORD): the
  /// live view's while someone watches, at most `record_fps` otherwise
  /// (RECORD_FPS), and the screenshot after each page-changing step; at
  /// most `record_max_bytes` a run (RECORD_MAX_BYTES).
  bool record = true;
  unsigned record_fps = 2;
  std::size_t record_max_bytes = 32u << 20;
};

/// The browser the sessions share.
/// Which private networks the agent's browser may reach
/// (BROWSER_PRIVATE_NETWORKS).
enum class private_networks {
  /// This machine only (the default): RFC 1918, CGNAT and unique-local
  /// addresses refused.
  loopback,
  /// Neither this machine nor any private network.
  none,
  /// This machine and private networks.
  all,
};

/// A BROWSER_HOST_RESOLVER_RULES target: the name does not resolve, and no
/// resolver is asked (Chromium's spelling).
inline constexpr std::string_view not_found_rule = "~NOTFOUND";

struct browser_options {
  std::string chromium_path = "/usr/bin/chromium";
  /// Flags added to the built-in ones.
  std::vector<std::string> chromium_flags;
  /// The egress proxy all of the browser's traffic goes through (set by the
  /// process that runs it, never configured).
  std::string proxy_server;
  /// Live browser contexts (one per session that uses the browser).
  std::size_t max_contexts = 16;
  /// Past the maximum, a session waits for a context (true) or is refused.
  bool wait_when_full = true;
  /// Contexts made ahead (each with its blank page, attached), so a new
  /// session's first tool finds one ready; within max_contexts.
  std::size_t pool = 2;
};

/// What every stream socket (SSE and WebSocket) is held to.
struct stream_options {
  /// Bytes a connection may have queued behind its socket before it is
  /// dropped as a slow consumer.
  std::size_t send_queue_limit = 1u << 20;
  /// SO_SNDBUF for stream sockets; 0 keeps the kernel's autotuning. A small
  /// value makes the send-queue bound bite sooner for clients that stall.
  std::size_t socket_send_buffer = 0;
  /// `: ping` comment frames on streams idle this long; a WebSocket client
  /// silent twice as long is pinged, then dropped.
  std::chrono::milliseconds heartbeat{15'000};
  /// SSE gzip-encoded for clients that accept it, flushed per write. Off by
  /// default: each compressed stream holds ~40 KiB of deflate state, more
  /// than the rest of the stream.
  bool sse_gzip = false;
  /// WebSocket permessage-deflate, for messages of at least the threshold.
  bool ws_deflate = true;
  std::size_t ws_deflate_threshold = 512;
  /// Largest message a WebSocket client may send.
  std::size_t ws_max_message = 64u << 10;
};

} // namespace agenttheo
