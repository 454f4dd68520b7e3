#pragma once

// What the store keeps, as plain rows: what sessions hand it to write, and
// what it reads back at startup. No CAF, no SQLite here.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "messages/event.hpp"
#include "messages/run_state.hpp"

namespace agenttheo {

/// A session as the listing knows it, plus where its ids go on.
struct session_row {
  std::string id;
  std::string title;
  /// Who holds it, for the per-client limits after a restart.
  std::string client;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  /// The next event id it will stamp when written; read back, at least one
  /// past its newest event: ids never repeat across restarts.
  std::uint64_t next_id = 1;
  std::uint64_t runs_started = 0;
};

/// One run's record (not its part of the conversation: that is folded into
/// the session's conversation when it ends).
struct run_row {
  std::string session_id;
  std::string message_id;
  std::uint64_t number = 0;
  std::string command;
  std::string stream_mode;
  std::uint64_t first_id = 0;
  std::uint64_t last_id = 0;
  run_phase phase = run_phase::queued;
  run_outcome outcome = run_outcome::none;
  std::string result;
  std::uint64_t max_steps = 0;
  std::uint64_t steps = 0;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t tokens_streamed = 0;
  std::uint64_t model_calls = 0;
  std::uint64_t tool_calls = 0;
  /// What its model calls cost, in billionths of a US dollar; -1: the
  /// model had no price.
  std::int64_t cost_nano_usd = -1;
  std::int64_t created_at_ms = 0;
  std::int64_t ended_at_ms = 0;
  /// A run waiting for a person: where it stands (run_checkpoint.hpp).
  std::string checkpoint_json;
};

/// One stamped event, shared with the log and the subscribers: the store
/// writes its fields, so a replay after a restart encodes the same bytes.
struct event_row {
  event_ptr event;
};

/// The conversation (what the model sees of earlier runs), as JSON.
struct conversation_row {
  std::string session_id;
  std::string json;
};

/// Where the session's page was, with its cookies and localStorage, as JSON
/// (storage_state_json.hpp).
struct page_row {
  std::string session_id;
  std::string url;
  std::string state_json;
};

/// A run the session no longer remembers: its record and events go.
struct run_forgotten_row {
  std::string session_id;
  std::string message_id;
};

/// The session ended: `deleted` (DELETE) removes it and everything of it;
/// otherwise it idled out and is kept until the retention sweep.
struct session_ended_row {
  std::string session_id;
  bool deleted = false;
  std::int64_t at_ms = 0;
};

using store_write = std::variant<session_row, run_row, event_row,
                                 conversation_row, page_row, run_forgotten_row,
                                 session_ended_row>;

/// Bytes a write holds while it waits, for the store's byte bound.
std::size_t footprint(const store_write& write);

/// A session as it was when the server stopped, to be spawned again.
struct restored_session {
  session_row session;
  std::vector<run_row> runs;
  std::string conversation_json;
  std::string page_url;
  std::string page_state_json;
  /// Its newest events (at most what its log keeps), oldest first.
  std::vector<event_ptr> events;
};

} // namespace agenttheo
