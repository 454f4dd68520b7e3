#include "actors/session_store_link.hpp"

#include <algorithm>

#include "browser/storage_state.hpp"
#include "store/conversation_json.hpp"
#include "store/store_inbox.hpp"
#include "util/clock.hpp"

namespace agenttheo {

namespace {

void put(const session_state& st, store_write write) {
  if (st.settings.store)
    st.settings.store->put(std::move(write));
}

run_row row_of(const session_state& st, const run_record& run) {
  run_row row;
  row.session_id = st.id;
  row.message_id = run.message_id;
  row.number = run.number;
  row.command = run.command;
  row.stream_mode = run.stream_mode;
  row.first_id = run.first_id;
  row.last_id = run.last_id;
  row.phase = run.phase;
  row.outcome = run.outcome;
  row.result = run.result;
  row.max_steps = run.max_steps;
  row.steps = run.step;
  row.prompt_tokens = run.usage.prompt_tokens;
  row.completion_tokens = run.usage.completion_tokens;
  row.tokens_streamed = run.tokens_streamed;
  row.created_at_ms = run.created_at_ms;
  row.ended_at_ms = run.ended_at_ms;
  return row;
}

run_record record_of(const run_row& row) {
  run_record run;
  run.number = row.number;
  run.message_id = row.message_id;
  run.command = row.command;
  run.stream_mode = row.stream_mode;
  run.first_id = row.first_id;
  run.last_id = row.last_id;
  run.phase = row.phase;
  run.outcome = row.outcome;
  run.result = row.result;
  run.max_steps = row.max_steps;
  run.step = row.steps;
  run.usage.prompt_tokens = row.prompt_tokens;
  run.usage.completion_tokens = row.completion_tokens;
  run.tokens_streamed = row.tokens_streamed;
  run.created_at_ms = row.created_at_ms;
  run.ended_at_ms = row.ended_at_ms;
  run.started = std::chrono::steady_clock::now();
  return run;
}

} // namespace

void store_session(const session_state& st) {
  if (!st.settings.store)
    return;
  session_row row;
  row.id = st.id;
  row.title = st.title;
  row.client = st.client;
  row.created_at_ms = st.created_at_ms;
  row.updated_at_ms = unix_millis();
  row.next_id = st.next_id;
  row.runs_started = st.runs_started;
  put(st, std::move(row));
}

void store_run(const session_state& st, const run_record& run) {
  if (st.settings.store)
    put(st, row_of(st, run));
}

void store_event(const session_state& st, const event_ptr& ev) {
  put(st, event_row{ev});
}

void store_conversation(const session_state& st) {
  if (st.settings.store)
    put(st, conversation_row{st.id, conversation_to_json(st.conversation)});
}

void store_page(const session_state& st, std::string state_json) {
  put(st, page_row{st.id, st.page_url, std::move(state_json)});
}

void store_run_forgotten(const session_state& st, const std::string& message_id) {
  put(st, run_forgotten_row{st.id, message_id});
}

void store_session_end(const session_state& st, bool deleted) {
  put(st, session_ended_row{st.id, deleted, unix_millis()});
}

void restore_session(session_state& st, const restored_session& saved) {
  const auto& s = saved.session;
  st.title = s.title;
  st.client = s.client;
  st.created_at_ms = s.created_at_ms;
  // The row is written when the session starts and is renamed, not per
  // event or run: what it stamped (load) and started say how far it got.
  st.next_id = s.next_id;
  st.runs_started = s.runs_started;
  for (const auto& row : saved.runs)
    st.runs_started = std::max(st.runs_started, row.number);
  st.conversation = conversation_from_json(saved.conversation_json);
  st.page_url = saved.page_url;
  for (const auto& row : saved.runs)
    st.runs.push_back(record_of(row));
  // A run's record is written when it starts and ends; the events it
  // stamped in between say how far it got.
  for (const auto& ev : saved.events) {
    st.log.append(ev);
    for (auto& run : st.runs)
      if (run.message_id == ev->raw.message_id && run.last_id < ev->raw.id)
        run.last_id = ev->raw.id;
  }
  if (auto page = storage_state_from_json(saved.page_state_json))
    st.settings.page.restored = std::move(page);
}

} // namespace agenttheo
