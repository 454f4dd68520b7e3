#include "actors/session_store_link.hpp"

#include <algorithm>
#include <cmath>

#include "browser/approval_policy.hpp"
#include "browser/storage_state.hpp"
#include "store/conversation_json.hpp"
#include "store/run_checkpoint.hpp"
#include "store/store_inbox.hpp"
#include "util/clock.hpp"

namespace agenttheo {

namespace {

void put(const session_state& st, store_write write) {
  if (st.settings.store)
    st.settings.store->put(std::move(write));
}

/// The interrupts of `run` still waiting, in the order they opened.
std::vector<const interrupt_entry*> waiting_on(const session_state& st,
                                               const run_record& run) {
  std::vector<const interrupt_entry*> found;
  for (const auto& entry : st.interrupts)
    if (entry.pending_for(run))
      found.push_back(&entry);
  return found;
}

/// Where a run waiting for a person stands; empty for any other run.
std::string checkpoint_json(const session_state& st, const run_record& run) {
  auto waiting = waiting_on(st, run);
  if (waiting.empty() || run.phase != run_phase::running)
    return {};
  run_checkpoint c;
  c.messages = run.messages;
  for (const auto& r : run.step_results)
    c.step_results.push_back({r.call_id, r.name, r.ok, r.output, r.error_code});
  c.tools_pending = run.tools_pending;
  c.calls_waiting.assign(run.calls_waiting.begin(), run.calls_waiting.end());
  c.approve = run.approve;
  c.interrupt_timeout_ms = run.interrupt_timeout.count();
  c.paused = run.paused;
  auto now = std::chrono::steady_clock::now();
  for (const auto* entry : waiting) {
    auto left = run.paused ? entry->remaining
                           : std::chrono::duration_cast<std::chrono::milliseconds>(
                               entry->deadline - now);
    c.interrupts.push_back({entry->record, entry->call, std::max<std::int64_t>(0, left.count())});
  }
  return checkpoint_to_json(c);
}

/// A waiting run back as it was, its interrupts into `st.interrupts`.
void resume_waiting(session_state& st, run_record& run, const run_checkpoint& c) {
  run.messages = c.messages;
  for (const auto& r : c.step_results) {
    tool_finished done;
    done.run = run.number;
    done.call_id = r.call_id;
    done.name = r.name;
    done.ok = r.ok;
    done.output = r.output;
    done.error_code = r.error_code;
    run.step_results.push_back(std::move(done));
  }
  run.tools_pending = c.tools_pending;
  run.calls_waiting.assign(c.calls_waiting.begin(), c.calls_waiting.end());
  run.approve = c.approve;
  run.interrupt_timeout = std::chrono::milliseconds{c.interrupt_timeout_ms};
  run.paused = c.paused;
  auto now_ms = unix_millis();
  for (const auto& p : c.interrupts) {
    interrupt_entry entry;
    entry.record = p.record;
    entry.call = p.call;
    // A running clock kept running while the server was down.
    entry.remaining = std::chrono::milliseconds{
      c.paused ? p.remaining_ms : std::max<std::int64_t>(0, p.record.expires_at_ms - now_ms)};
    st.interrupts.push_back(std::move(entry));
  }
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
  row.model_calls = run.usage.model_calls;
  row.tool_calls = run.usage.tool_calls;
  row.cost_nano_usd = run.usage.priced
                        ? static_cast<std::int64_t>(std::llround(run.usage.cost_usd * 1e9))
                        : -1;
  row.tokens_streamed = run.tokens_streamed;
  row.created_at_ms = run.created_at_ms;
  row.ended_at_ms = run.ended_at_ms;
  row.checkpoint_json = checkpoint_json(st, run);
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
  run.usage.model_calls = row.model_calls;
  run.usage.tool_calls = row.tool_calls;
  run.usage.priced = row.cost_nano_usd >= 0;
  run.usage.cost_usd = run.usage.priced ? static_cast<double>(row.cost_nano_usd) / 1e9 : 0;
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
  // A site may keep what was typed (a cookie, localStorage): the store
  // gets the placeholder, and a restored page has that instead.
  put(st, page_row{st.id, st.page_url, st.settings.page.secrets->redact_json(state_json)});
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
  // The page comes back where it was: that host is no new one (`new_host`).
  if (!st.page_url.empty())
    st.visited_hosts.insert(host_of_url(st.page_url));
  for (const auto& row : saved.runs) {
    st.runs.push_back(record_of(row));
    // The session's totals start again from the runs it remembers.
    st.usage += st.runs.back().usage;
    if (row.phase != run_phase::running)
      continue;
    if (auto waiting = checkpoint_from_json(row.checkpoint_json))
      resume_waiting(st, st.runs.back(), *waiting);
  }
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
