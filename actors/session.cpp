#include "actors/session.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/llm_call.hpp"
#include "actors/weak_wake.hpp"
#include "actors/page_tools.hpp"
#include "actors/registry.hpp"
#include "actors/session_store_link.hpp"
#include "actors/session_views.hpp"
#include "actors/steering_tools.hpp"
#include "actors/tool_call.hpp"
#include "actors/run_media.hpp"
#include "browser/approval_policy.hpp"
#include "browser/user_input.hpp"
#include "config/log.hpp"
#include "llm/conversation.hpp"
#include "llm/offline_planner.hpp"
#include "llm/system_prompt.hpp"
#include "messages/binary_frame.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "messages/session_title.hpp"
#include "metrics/runtime_metrics.hpp"
#include "store/artifact_folder.hpp"
#include "store/run_frames.hpp"
#include "util/base64.hpp"
#include "util/clock.hpp"
#include "util/jpeg_size.hpp"
#include "util/json_reader.hpp"
#include "util/json_schema_check.hpp"
#include "util/json_writer.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<session_state>*;

run_record* find_run(session_state& st, const std::string& message_id) {
  auto i = std::find_if(st.runs.begin(), st.runs.end(), [&](const auto& r) {
    return r.message_id == message_id;
  });
  return i == st.runs.end() ? nullptr : &*i;
}

run_record* active_run(session_state& st) {
  for (auto& run : st.runs)
    if (run.phase == run_phase::running)
      return &run;
  return nullptr;
}

run_record* run_by_number(session_state& st, std::uint64_t number) {
  auto* run = active_run(st);
  return run && run->number == number ? run : nullptr;
}

std::uint64_t elapsed_ms(const run_record& run) {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
    duration_cast<milliseconds>(steady_clock::now() - run.started).count());
}

/// What the session is doing, for the registry's view of it.
const char* note_state(self_ptr self) {
  auto& st = self->state;
  const char* state = st.stopping ? "stopping" : active_run(st) ? "running" : "idle";
  st.stats->set_state(state);
  return state;
}

void push_info(self_ptr self) {
  auto& st = self->state;
  session_info info;
  info.id = st.id;
  info.title = st.title;
  auto* run = active_run(st);
  info.state = note_state(self);
  info.runs = st.runs_started;
  info.subscribers = st.subscribers.size();
  info.current_message_id = run ? run->message_id
                            : st.runs.empty() ? std::string{}
                                              : st.runs.back().message_id;
  info.queued = st.queue.size();
  info.created_at_ms = st.created_at_ms;
  info.updated_at_ms = unix_millis();
  info.interrupts_json = pending_interrupts_json(st);
  info.control = st.control.user ? "user" : "agent";
  self->send(st.manager, std::move(info));
}

/// The session is known by `title` now (the admin tree at once, the
/// listing with the next push_info).
void retitle(self_ptr self, std::string title) {
  auto& st = self->state;
  st.title = std::move(title);
  set_registry_title(self, st.title);
  store_session(st);
}

/// Tells the page whether a run is in progress: an idle session's browser
/// context may be lent to another session.
void tell_page_activity(self_ptr self) {
  auto& st = self->state;
  // A person holding the browser keeps it too.
  bool running = active_run(st) != nullptr || st.control.user || st.direct_tools > 0;
  if (!st.page || running == st.page_active)
    return;
  st.page_active = running;
  self->send(st.page, context_active_atom::value, running);
}

/// Ends the session after `idle_timeout` with no run and no subscriber. Any
/// activity bumps the generation, which voids timers armed before it.
void arm_idle_timer(self_ptr self) {
  auto& st = self->state;
  auto generation = ++st.idle_generation;
  if (active_run(st) || !st.subscribers.empty())
    return;
  self->delayed_send(self, st.settings.idle_timeout, idle_check_atom::value,
                     generation);
}

void drop_subscribers_of(self_ptr self, const std::string& message_id) {
  auto& subs = self->state.subscribers;
  auto last = std::remove_if(subs.begin(), subs.end(), [&](auto& s) {
    if (s.message_id != message_id)
      return false;
    self->demonitor(s.handle);
    self->state.watchers->remove(s.handle.address());
    self->state.frame_subscribers -= s.frames ? 1 : 0;
    if (s.direct)
      self->state.sinks.remove(s.handle.address());
    return true;
  });
  subs.erase(last, subs.end());
}

/// Tells the registry about an `error` event, for the admin console.
void report(self_ptr self, const encoded_event& ev) {
  json_document doc{ev.raw.data};
  json_reader data{doc};
  auto text = [&](const char* name) {
    return std::string{data.text(name).value_or("")};
  };
  report_error(self, ev.raw.session, ev.raw.message_id, text("code"),
               text("message"));
}

bool follows(const subscriber_entry& sub, const event& ev) {
  return follows(sub.message_id, sub.modes, ev);
}

/// Sends the held events once to each of `relays` (a gateway's, for
/// subscribers on its node), which hands them to those of its subscribers
/// that want them: one copy on the wire per gateway, not per subscriber.
void deliver_to_relays(self_ptr self, const std::vector<caf::actor>& relays,
                       const round_ticket& round) {
  const auto& held = self->state.held;
  if (held.size() == 1) {
    for (const auto& relay : relays)
      self->send(relay, event_frame{held.front(), round});
    return;
  }
  event_batch batch;
  batch.live = true;
  batch.round = round;
  for (const auto& ev : held)
    batch.events.push_back({ev});
  for (const auto& relay : relays)
    self->send(relay, batch);
}

/// Sends the held events to each subscriber that wants them: one event as
/// itself, several in one batch (which the connection writes at once).
/// Subscribers behind a relay get them through it. Every message carries
/// the round's ticket.
void deliver_held(self_ptr self) {
  auto& st = self->state;
  st.round_armed = false;
  if (st.held.empty())
    return;
  st.pacer.delivered(fanout_pacer::clock::now());
  auto round = st.round.start();
  std::vector<caf::actor> relays;
  for (auto& sub : st.subscribers) {
    if (sub.direct)
      continue; // the sinks' round, below
    if (sub.via) {
      if (std::find(relays.begin(), relays.end(), sub.via) == relays.end())
        relays.push_back(sub.via);
      continue;
    }
    if (st.held.size() == 1) {
      if (follows(sub, st.held.front()->raw))
        self->send(sub.handle, event_frame{st.held.front(), round});
      continue;
    }
    event_batch batch;
    batch.live = true;
    batch.round = round;
    batch.events.reserve(st.held.size());
    for (auto& ev : st.held)
      if (follows(sub, ev->raw))
        batch.events.push_back({ev});
    if (!batch.events.empty())
      self->send(sub.handle, std::move(batch));
  }
  deliver_to_relays(self, relays, round);
  st.sinks.deliver(std::exchange(st.held, {}), round);
}

/// The next round goes now if the last one was handled and the pacer lets
/// it; otherwise it is armed: `fanout_atom` comes when the last round is
/// absorbed, or when the pacer's gap is over.
void next_round(self_ptr self) {
  auto& st = self->state;
  st.round_armed = false;
  if (st.held.empty())
    return;
  st.round_armed = true;
  if (!st.round.wait())
    return;
  auto wait = st.pacer.wait(fanout_pacer::clock::now(), st.subscribers.size());
  if (wait == fanout_pacer::clock::duration::zero())
    return deliver_held(self);
  self->delayed_send(self, wait, fanout_atom::value);
}

/// Hands `ev` to the subscribers now, or holds it for the next round. A
/// terminal event never waits (and takes the held ones).
void fan_out(self_ptr self, event_ptr ev) {
  auto& st = self->state;
  auto terminal = ev->raw.terminal;
  st.sinks.publish(ev);
  st.held.push_back(std::move(ev));
  if (terminal)
    return deliver_held(self);
  if (!st.round_armed && st.rounds_held == 0)
    next_round(self);
}

/// The events emitted while it lives go out in one round as it ends (or
/// with a terminal one): a turn's `message`, `update` and a run's
/// `complete`, one write to each subscriber instead of three.
class one_round {
public:
  explicit one_round(self_ptr self) : self_(self) {
    ++self_->state.rounds_held;
  }

  ~one_round() {
    auto& st = self_->state;
    if (--st.rounds_held == 0 && !st.round_armed)
      next_round(self_);
  }

  one_round(const one_round&) = delete;
  one_round& operator=(const one_round&) = delete;

private:
  self_ptr self_;
};

/// Events whose news the session listing carries: a run's start, end and
/// state, its interrupts, who holds the browser.
bool tells_the_listing(event_type type, bool terminal) {
  return terminal || type == event_type::start || type == event_type::status
         || type == event_type::interrupt || type == event_type::interrupt_resolved
         || type == event_type::control;
}

/// Stamps, logs and fans out one event; `message_id` empty: an event of the
/// session itself, which only whole-session subscribers see.
event_ptr stamp(self_ptr self, const std::string& message_id, event_type type,
                std::string data, bool terminal) {
  auto& st = self->state;
  // The last net for secrets: whatever an event carries, no value leaves
  // in it (tool outputs and URLs were redacted where they came in).
  if (const auto& vault = *st.settings.page.secrets; !vault.empty())
    data = vault.redact_json(data);
  auto ev = encode(event{st.next_id++, type, st.id, message_id, std::move(data), terminal,
                         unix_millis()});
  st.log.append(ev);
  store_event(st, ev);
  if (type == event_type::error)
    report(self, *ev);
  // The manager hears the news before the event can reach a client (a
  // socket on another I/O thread may write it at once): a client that
  // lists sessions on reading it finds the listing agrees.
  if (tells_the_listing(type, terminal))
    push_info(self);
  fan_out(self, ev);
  return ev;
}

bool close_run(self_ptr self, run_record& run);
void end_run(self_ptr self, run_record& run, bool was_queued);

void sync_screencast(self_ptr self);
void record_frame(session_state& st, run_record& run, std::string_view jpeg);

/// Stamps, logs and fans out one event of `run`; a terminal one ends it.
void emit(self_ptr self, run_record& run, event_type type, std::string data,
          bool terminal = false) {
  if (!terminal) {
    run.last_id = stamp(self, run.message_id, type, std::move(data), false)->raw.id;
    return;
  }
  auto was_queued = close_run(self, run); // before stamp tells the manager
  run.last_id = stamp(self, run.message_id, type, std::move(data), true)->raw.id;
  end_run(self, run, was_queued);
}

/// The run ends while its interrupts wait: each is decided `cancelled`, so
/// every watcher's card closes and a late answer gets 409.
void close_interrupts(self_ptr self, run_record& run) {
  for (auto& entry : self->state.interrupts) {
    auto& r = entry.record;
    if (r.resolved || r.message_id != run.message_id)
      continue;
    r.resolved = true;
    r.resolution = {"cancelled", {}, {}, "the run ended", "cancel"};
    count(counter::interrupts_cancelled);
    emit(self, run, event_type::interrupt_resolved, interrupt_resolved_json(r));
  }
}

/// Stops the run's model call and tool calls, whatever they were doing.
void stop_work(self_ptr self, run_record& run) {
  if (run.llm) {
    self->demonitor(run.llm);
    self->send_exit(run.llm, caf::exit_reason::kill);
    run.llm = nullptr;
  }
  if (!run.tools.empty() && self->state.page)
    self->send(self->state.page, drop_tools_atom::value);
  for (auto& tool : run.tools)
    self->send_exit(tool, caf::exit_reason::kill);
  run.tools.clear();
  run.tools_pending = 0;
  run.calls_waiting.clear();
  run.takeover_call.reset();
  close_interrupts(self, run);
}

/// What a rerun repeated of its recording, and where it left it.
std::string rerun_account(const run_record& run) {
  json_writer out;
  out.begin_object()
    .field("of", run.rerun.script.of)
    .field("replayed_steps", std::uint64_t{run.rerun.next})
    .field("model_calls", run.usage.model_calls)
    .key("diverged_at");
  if (run.rerun.diverged_at != 0)
    out.value(run.rerun.diverged_at);
  else
    out.null();
  out.end_object();
  return out.str();
}

/// Ends `run` with `complete`; `output_json`: its answer as its
/// output_schema shaped it; `code`: why it failed, for programs.
void finish_run(self_ptr self, run_record& run, std::string result,
                run_outcome outcome, std::string output_json = {},
                std::string code = {}) {
  stop_work(self, run);
  payload::completion done;
  done.result = result;
  done.output_json = std::move(output_json);
  done.code = std::move(code);
  done.steps = run.step;
  done.tokens = run.usage;
  done.tokens_streamed = run.tokens_streamed;
  done.duration_ms = run.phase == run_phase::running ? elapsed_ms(run) : 0;
  done.cancelled = outcome == run_outcome::cancelled;
  // A run that failed but answered stopped as the guide's `complete` does;
  // `outcome` says how it went.
  done.stop_reason
    = outcome == run_outcome::failed ? "complete" : to_string(outcome);
  done.outcome = completion_word(outcome);
  done.message_id = run.message_id;
  if (!run.rerun.script.empty())
    done.rerun_json = rerun_account(run);
  // A run that could not finish is an error for the console, like one
  // that ended with an `error` event.
  if (outcome == run_outcome::failed)
    report_error(self, self->state.id, run.message_id, "run_failed", result);
  run.result = std::move(result);
  run.outcome = outcome;
  emit(self, run, event_type::complete, payload::complete(done), true);
}

/// Ends `run` with an `error`: every failure class has its code.
void fail_run(self_ptr self, run_record& run, const std::string& code,
              const std::string& message) {
  stop_work(self, run);
  run.result = message;
  run.outcome = run_outcome::failed;
  emit(self, run, event_type::error,
       payload::run_error(code, message, run.message_id, true), true);
}

void cancel(self_ptr self, run_record& run, const std::string& reason) {
  emit(self, run, event_type::status,
       payload::status("cancelled", reason, run.message_id));
  finish_run(self, run, "", run_outcome::cancelled);
}

/// Forgets the oldest finished runs beyond the configured history.
void trim_runs(self_ptr self) {
  auto& st = self->state;
  while (st.runs.size() > st.settings.max_runs && st.runs.front().finished()) {
    self->send(st.manager, run_forgotten{st.runs.front().message_id});
    store_run_forgotten(st, st.runs.front().message_id);
    st.runs.pop_front();
  }
}

/// What the run adds to the session's conversation, once it is over: its
/// complete steps, and a word on how it ended if it did not answer.
void fold_into_conversation(session_state& st, const run_record& run) {
  auto messages = run.messages;
  drop_unanswered_calls(messages);
  // Images are for the run that took them: later runs read the text.
  for (auto& m : messages)
    if (!m.image.empty()) {
      m.image.jpeg_base64.clear();
      m.content += " [image not kept after its run]";
    }
  if (messages.empty())
    return;
  st.conversation.insert(st.conversation.end(), messages.begin(), messages.end());
  // A run that answered (even one whose last step failed) ends with the
  // model's own words; any other gets a word on how it ended.
  const auto& last = messages.back();
  auto answered = last.role == "assistant" && last.tool_calls.empty();
  if (!answered)
    st.conversation.push_back({"assistant",
                               "(This run ended without an answer: "
                                 + std::string{to_string(run.outcome)} + ".)",
                               {},
                               {}});
  fit_to_budget(st.conversation, st.settings.context_budget,
                st.conversation.size());
}

/// The system prompt, and the secrets the model may type by name.
std::string system_text(const session_state& st) {
  std::string text{system_prompt};
  const auto& vault = *st.settings.page.secrets;
  if (!vault.secrets().empty())
    text += "\n\nSecrets you may type with type_text by writing their placeholder "
            "in its text. You never see their values; the page gets them only on "
            "the hosts named:"
            + vault.prompt_lines();
  return text;
}

/// The next model call's request; notes its prompt's estimated tokens,
/// which the budget counts before and while the call runs.
llm_request prompt_for(self_ptr self, run_record& run) {
  auto& st = self->state;
  auto built = build_prompt(system_text(st), st.page_url, st.conversation,
                            run.messages, st.settings.context_budget);
  st.last_budget = built.budget;
  run.call_streamed = 0;
  llm_request request;
  request.session_id = st.id;
  request.command = run.command;
  request.near = st.sinks.busiest_context();
  if (!request.near)
    request.near = st.starter_context;
  request.messages = std::move(built.messages);
  if (st.settings.browser)
    request.tools = agent_tool_schemas();
  if (!run.output_schema.empty())
    request.tools.push_back(done_tool(run.output_schema));
  run.call_prompt_estimate = built.budget.tokens + estimate_tokens(request.tools);
  return request;
}

caf::actor spawn_llm_call(self_ptr self, const run_record& run, llm_request request) {
  auto& st = self->state;
  if (st.settings.llm.settings.is_planner())
    return self->spawn(planner_call, caf::actor{self}, run.number,
                       std::move(request), st.settings.llm);
  return self->spawn(openai_call, caf::actor{self}, run.number,
                     std::move(request), st.settings.llm);
}

/// The turns the run will take, when that is known: the offline planner
/// knows its plan (a turn per step, then the answer); a model does not.
std::optional<std::uint64_t>
planned_turns(const session_state& st, const run_record& run) {
  if (!st.settings.llm.settings.is_planner())
    return std::nullopt;
  auto plan = offline_planner::parse_command(run.command);
  auto turns = plan.not_understood.empty() ? plan.steps.size() + 1 : 1;
  return std::min<std::uint64_t>(turns, run.max_steps);
}

// -- budgets ------------------------------------------------------------------

/// Spending so far plus a model call's `prompt` and `completion` tokens
/// (estimated, for a call about to start or under way).
budget_spend spend_with(const payload::usage& used, const llm_runtime& llm,
                        std::uint64_t prompt, std::uint64_t completion) {
  budget_spend spend{used.total_tokens() + prompt + completion, used.cost_usd};
  if (const auto& price = llm.settings.price)
    spend.cost_usd += price->cost_usd(prompt, completion);
  return spend;
}

/// The limit the run, or its session, passes with `prompt` and
/// `completion` tokens more, in words naming it.
std::optional<std::string> over_budget(self_ptr self, const run_record& run,
                                       std::uint64_t prompt, std::uint64_t completion,
                                       budget_moment moment = budget_moment::spent) {
  const auto& st = self->state;
  const auto& llm = st.settings.llm;
  if (auto why = passed(run.budget, spend_with(run.usage, llm, prompt, completion),
                        "run", moment))
    return why;
  budget_limits session{st.settings.session_max_tokens,
                        st.settings.session_max_cost_usd,
                        {}};
  return passed(session, spend_with(st.usage, llm, prompt, completion), "session",
                moment);
}

/// Adds a model call's tokens (and their cost, when the model has a
/// price) to the run's, the session's and the process's totals.
void account_call(self_ptr self, run_record& run, std::uint64_t prompt,
                  std::uint64_t completion) {
  auto& st = self->state;
  payload::usage call;
  call.prompt_tokens = prompt;
  call.completion_tokens = completion;
  call.model_calls = 1;
  if (const auto& price = st.settings.llm.settings.price) {
    call.priced = true;
    call.cost_usd = price->cost_usd(prompt, completion);
  }
  run.usage += call;
  st.usage += call;
  run.call_prompt_estimate = 0;
  run.call_streamed = 0;
  count(counter::llm_prompt_tokens, prompt);
  count(counter::llm_completion_tokens, completion);
  count(counter::llm_cost_nano_usd,
        static_cast<std::uint64_t>(std::llround(call.cost_usd * 1e9)));
}

/// A token of the model's answer arrived: a budget passed mid-stream cuts
/// the call there (its transfer is aborted), counted as far as it got.
void on_streamed_token(self_ptr self, run_record& run) {
  ++run.call_streamed;
  auto why = over_budget(self, run, run.call_prompt_estimate, run.call_streamed);
  if (!why)
    return;
  account_call(self, run, run.call_prompt_estimate, run.call_streamed);
  fail_run(self, run, "budget_exceeded", *why);
}

/// The server's part of a run's time to its first token (first_token_added):
/// the time since its request, less the model's own time to the token. For
/// the first call of a run that began at once; a later turn's first token
/// waited for tools, not for us.
void observe_first_token(const run_record& run, std::int64_t model_first_ns) {
  if (run.step != 1 || model_first_ns < 0
      || run.requested == std::chrono::steady_clock::time_point{})
    return;
  auto total = std::chrono::steady_clock::now() - run.requested;
  process_metrics().first_token_added.observe(
    std::chrono::duration_cast<std::chrono::nanoseconds>(total)
    - std::chrono::nanoseconds{model_first_ns});
}

/// The run's max_duration is up: it ends wherever it is.
void on_run_deadline(self_ptr self, std::uint64_t number) {
  auto* run = run_by_number(self->state, number);
  if (run && run->phase == run_phase::running)
    fail_run(self, *run, "budget_exceeded", duration_passed(run->budget.max_duration));
}

void replay_step(self_ptr self, run_record& run);

/// The next model turn: `progress`, then the call; a held run waits. A
/// rerun takes its turns from the recording until it diverges.
void ask_model(self_ptr self, run_record& run) {
  if (run.paused) {
    run.held = held_move::ask_model;
    return;
  }
  if (!run.note_for_model.empty()) {
    run.messages.push_back({"user", std::move(run.note_for_model), {}, {}});
    run.note_for_model.clear();
  }
  if (run.rerun.replaying())
    return replay_step(self, run);
  auto request = prompt_for(self, run);
  if (auto why = over_budget(self, run, run.call_prompt_estimate, 0,
                             budget_moment::before_call))
    return fail_run(self, run, "budget_exceeded", *why);
  ++run.step;
  auto planned = planned_turns(self->state, run);
  emit(self, run, event_type::progress,
       payload::progress(run.step, planned.value_or(run.max_steps),
                         "Asking the model", planned.has_value(),
                         run.max_steps));
  run.llm = spawn_llm_call(self, run, std::move(request));
  self->monitor(run.llm);
}

void begin_run(self_ptr self, run_record& run) {
  run.phase = run_phase::running;
  note_state(self);
  tell_page_activity(self);
  sync_screencast(self);
  run.started = std::chrono::steady_clock::now();
  // One line per run start and end at INFO, for operators; the command
  // itself stays out of the log.
  log(log_level::info, "run started: session ", self->state.id, ", messageId ",
      run.message_id);
  run.messages = {{"user", run.command, {}, {}}};
  const auto& limits = self->state.settings;
  run.watch = step_watch{{limits.loop_nudge, limits.loop_stop,
                          run.max_failures >= 0
                            ? static_cast<std::uint32_t>(run.max_failures)
                            : limits.max_failures}};
  run.budget = tighter(run.budget, {limits.run_max_tokens, limits.run_max_cost_usd,
                                    limits.run_max_duration});
  if (run.budget.max_duration.count() > 0)
    self->delayed_send(self, run.budget.max_duration, run_deadline_atom::value,
                       run.number);
  store_run(self->state, run);
  emit(self, run, event_type::status,
       payload::status("running",
                       run.rerun.script.empty()
                         ? "The agent is working on the command"
                         : "Repeating run " + run.rerun.script.of + " without the model",
                       run.message_id));
  // A person holds the browser: the run starts once they hand it back.
  if (self->state.control.user) {
    run.paused = true;
    run.requested = {};
    emit(self, run, event_type::status,
         payload::status("paused", "the user has control of the browser",
                         run.message_id));
  }
  ask_model(self, run);
}

/// Starts the next queued run, if nothing runs and the session goes on.
void start_next(self_ptr self) {
  auto& st = self->state;
  while (!st.stopping && !active_run(st) && !st.queue.empty()) {
    auto* run = find_run(st, st.queue.front());
    st.queue.pop_front();
    if (run && run->phase == run_phase::queued)
      begin_run(self, *run);
  }
}

counter counter_of(run_outcome outcome) {
  switch (outcome) {
  case run_outcome::failed: return counter::runs_failed;
  case run_outcome::max_steps: return counter::runs_max_steps;
  case run_outcome::cancelled: return counter::runs_cancelled;
  default: return counter::runs_succeeded;
  }
}

/// Asks the page where it is (URL, cookies, localStorage) for the store,
/// so the session's page comes back as it was after a restart.
void save_page(self_ptr self) {
  auto& st = self->state;
  if (!st.settings.store || !st.page)
    return;
  self->request(st.page, st.settings.tool_timeout, save_page_atom::value)
    .then([self](std::string& state_json) {
      if (!state_json.empty())
        store_page(self->state, std::move(state_json));
    },
    [](caf::error&) {});
}

/// Marks `run` finished (out of the queue if it never started), before its
/// terminal event goes out; true if it was still queued.
bool close_run(self_ptr self, run_record& run) {
  auto& st = self->state;
  auto was_queued = run.phase == run_phase::queued;
  if (!was_queued)
    log(log_level::info, "run ended: session ", st.id, ", messageId ",
        run.message_id, ", ", to_string(run.outcome), ", ", run.step,
        run.step == 1 ? " step, " : " steps, ", elapsed_ms(run), " ms");
  count(counter_of(run.outcome));
  run.phase = run_phase::finished;
  run.ended_at_ms = unix_millis();
  if (was_queued)
    st.queue.erase(std::remove(st.queue.begin(), st.queue.end(), run.message_id),
                   st.queue.end());
  return was_queued;
}

/// What follows a run's terminal event: its record stored, its subscribers
/// let go, the next queued run started.
void end_run(self_ptr self, run_record& run, bool was_queued) {
  auto& st = self->state;
  if (!was_queued) {
    fold_into_conversation(st, run);
    store_conversation(st);
    save_page(self);
  }
  store_run(st, run);
  // Subscribers close their stream on the terminal event by themselves.
  drop_subscribers_of(self, run.message_id);
  start_next(self);
  tell_page_activity(self);
  sync_screencast(self);
  push_info(self);
  arm_idle_timer(self);
}

/// The run whose model call just ended on its own (done or failed), with
/// the call released; nullptr if that run is no longer the active one.
run_record* release_call(self_ptr self, std::uint64_t number) {
  auto* run = run_by_number(self->state, number);
  if (run && run->llm) {
    self->demonitor(run->llm);
    run->llm = nullptr;
  }
  return run;
}

/// The arguments as JSON to put in `tool_start`: the model's text when it
/// is a JSON object, else that text as a JSON string.
std::string tool_input_json(const std::string& arguments) {
  if (json_document{arguments}.parsed_object())
    return arguments;
  json_writer out;
  out.value(arguments);
  return out.str();
}

/// The session's page, spawned on first use.
const caf::actor& ensure_page(self_ptr self) {
  auto& st = self->state;
  if (!st.page) {
    auto settings = st.settings.page;
    settings.session_id = st.id;
    st.page = self->spawn(page, st.settings.browser, std::move(settings),
                          caf::actor{self});
    st.page_active = true; // spawned for a run's tools, or a person
    sync_screencast(self);
    tell_page_activity(self);
  }
  return st.page;
}

/// Asks the page what `call` would act on, without acting; `then` gets
/// the facts (not found, when the page could not say). The page runs this
/// look in turn with tools, so it sees the page the call would.
void inspect_target(self_ptr self, const tool_call& call,
                    std::function<void(const target_facts&)> then) {
  json_document doc{call.arguments};
  json_writer probe;
  json_reader args{doc};
  probe.begin_object()
    .field("target", args.text("target").value_or(""))
    .field("ref", args.text("ref").value_or(""))
    .field("active", call.name == "press_key")
    .end_object();
  self
    ->request(ensure_page(self), self->state.settings.tool_timeout,
              tool_request{"inspect_target", probe.str(), true})
    .then([then](tool_result& r) {
            then(r.ok ? parse_target_facts(r.output) : target_facts{});
          },
          [then](caf::error&) { then(target_facts{}); });
}

void next_call(self_ptr self, run_record& run);

/// The model asked for tools: they run one at a time, in its order, each
/// past the approval rules first (a tool_call actor on the session's page).
void run_tools(self_ptr self, run_record& run, const std::vector<tool_call>& calls) {
  run.tools_pending = calls.size();
  run.step_results.clear();
  run.calls_waiting.assign(calls.begin(), calls.end());
  next_call(self, run);
}

/// Whether a tool of the run's last tool step failed: then its answer is
/// one of not having finished (the planner says "I could not finish").
bool last_step_failed(const run_record& run) {
  return std::any_of(run.step_results.begin(), run.step_results.end(),
                     [](const tool_finished& r) { return !r.ok; });
}

/// An answer that did not follow the run's output_schema: one more turn
/// to repair it, told why; the second such answer ends the run.
void ask_for_output(self_ptr self, run_record& run, const std::string& why) {
  if (++run.bad_outputs >= 2 || run.step >= run.max_steps)
    return finish_run(self, run, "the answer did not match output_schema: " + why,
                      run_outcome::failed, {}, "output_invalid");
  run.messages.push_back(
    {"user",
     "Your answer must follow the requested schema (" + why
       + "). Call the tool `done` once, with `output` matching its schema.",
     {},
     {}});
  ask_model(self, run);
}

/// The model's turn (or the recording's, in a rerun): its `message`,
/// then the answer, or its tool calls.
void act_on_turn(self_ptr self, run_record& run, std::string content,
                 const std::vector<tool_call>& calls) {
  auto& st = self->state;
  emit(self, run, event_type::message,
       payload::message("assistant", content, run.step, calls));
  run.messages.push_back({"assistant", content, calls, {}});
  emit(self, run, event_type::update,
       payload::update(run.step, "agent",
                       agent_update_json(run.messages.back(), st.last_budget)));
  if (auto why = over_budget(self, run, 0, 0))
    return fail_run(self, run, "budget_exceeded", *why);
  if (calls.empty() && !run.output_schema.empty())
    return ask_for_output(self, run, "the answer came as text, not through `done`");
  if (calls.empty())
    return finish_run(self, run, std::move(content),
                      last_step_failed(run) ? run_outcome::failed
                                            : run_outcome::complete);
  if (!st.settings.browser) {
    // A question needs no browser; anything else does.
    std::string names;
    for (const auto& call : calls)
      if (call.name != "ask_user" && call.name != "done")
        names += (names.empty() ? "" : ", ") + call.name;
    if (!names.empty())
      return fail_run(self, run, "capability_missing",
                      "the model asked for " + names
                        + ", but the server runs without a browser (BROWSER=none)");
  }
  run_tools(self, run, calls);
}

void on_llm_done(self_ptr self, llm_done& done) {
  auto* run = release_call(self, done.run);
  if (!run)
    return;
  one_round turn_events{self};
  // The provider's count; one that sends none is taken at our estimate.
  if (done.prompt_tokens + done.completion_tokens > 0)
    account_call(self, *run, done.prompt_tokens, done.completion_tokens);
  else
    account_call(self, *run, run->call_prompt_estimate, run->call_streamed);
  act_on_turn(self, *run, std::move(done.content), done.tool_calls);
}

// -- reruns: the recording's turns instead of the model's ---------------------

/// Whether the call names an element (`target` or `ref`); not: it acts on
/// none (navigate_to, scroll, a key on the focus).
bool names_element(const tool_call& call) {
  json_document doc{call.arguments};
  json_reader args{doc};
  return !args.text("target").value_or("").empty()
         || !args.text("ref").value_or("").empty();
}

/// What the recording had before the step: the URL, and the call whose
/// target is checked (none: the URL alone differed).
std::string expected_json(const rerun_step& step, const tool_call* call) {
  json_writer out;
  out.begin_object().field("url", step.url_before);
  if (call)
    out.field("tool", call->name).key("arguments").raw(tool_input_json(call->arguments));
  out.end_object();
  return out.str();
}

/// What the page has: its URL, and what the target resolved to (null:
/// nothing by that reference, selector or text).
std::string found_json(const session_state& st, const target_facts* facts) {
  json_writer out;
  out.begin_object().field("url", st.page_url);
  if (facts) {
    out.key("target");
    if (facts->found)
      out.value(facts->label);
    else
      out.null();
  }
  out.end_object();
  return out.str();
}

/// The page is not where the recording was: `rerun_diverged`, then the
/// model goes on from here, or the run fails (`fallback: fail`).
void diverge(self_ptr self, run_record& run, std::string expected,
             std::string found, const std::string& why) {
  auto step = run.step + 1;
  run.rerun.diverged_at = step;
  json_writer body;
  body.begin_object()
    .field("kind", "rerun_diverged")
    .field("step", step)
    .key("expected")
    .raw(expected.empty() ? "null" : expected)
    .key("found")
    .raw(found)
    .end_object();
  emit(self, run, event_type::custom, payload::custom(body.str()));
  auto words = "the page is not where run " + run.rerun.script.of + " was at step "
               + std::to_string(step) + ": " + why;
  if (run.rerun.script.fallback == rerun_fallback::fail)
    return finish_run(self, run, words, run_outcome::failed, {}, "rerun_diverged");
  run.note_for_model = "Repeating an earlier run step by step stopped here, because "
                       + words + ". Go on with the task from this page.";
  ask_model(self, run);
}

/// Every check passed: the recording's next turn, as if the model said it.
void replay_turn(self_ptr self, run_record& run) {
  const auto& script = run.rerun.script;
  const auto& step = script.steps[run.rerun.next++];
  ++run.step;
  emit(self, run, event_type::progress,
       payload::progress(run.step, script.steps.size(),
                         "Repeating step " + std::to_string(run.rerun.next) + " of run "
                           + script.of,
                         true, run.max_steps));
  act_on_turn(self, run, step.content, step.tool_calls);
}

/// Checks the targets of the next step's calls from `index` on, one at a
/// time, each by asking the page (which answers in turn with its tools);
/// all there: the step is replayed.
void check_targets(self_ptr self, run_record& run, std::size_t index) {
  const auto& step = run.rerun.script.steps[run.rerun.next];
  for (; index < step.tool_calls.size(); ++index)
    if (names_element(step.tool_calls[index])) {
      auto checked = [self, number = run.number, next = run.rerun.next,
                      index](const target_facts& facts) {
        auto* run = run_by_number(self->state, number);
        if (!run || run->phase != run_phase::running || !run->rerun.replaying()
            || run->rerun.next != next)
          return;
        const auto& step = run->rerun.script.steps[next];
        if (facts.found)
          return check_targets(self, *run, index + 1);
        diverge(self, *run, expected_json(step, &step.tool_calls[index]),
                found_json(self->state, &facts),
                "the element `" + step.tool_calls[index].name
                  + "` acted on is not on the page");
      };
      return inspect_target(self, step.tool_calls[index], std::move(checked));
    }
  replay_turn(self, run);
}

/// The recording's next step, if the page is where it was: the same URL,
/// and each element its calls act on found the same way.
void replay_step(self_ptr self, run_record& run) {
  const auto& steps = run.rerun.script.steps;
  if (run.rerun.next >= steps.size())
    return diverge(self, run, {}, found_json(self->state, nullptr),
                   "the recording ends before an answer");
  const auto& step = steps[run.rerun.next];
  if (!step.url_before.empty() && step.url_before != self->state.page_url)
    return diverge(self, run,
                   expected_json(step, step.tool_calls.empty() ? nullptr
                                                               : &step.tool_calls[0]),
                   found_json(self->state, nullptr), "it shows another URL");
  check_targets(self, run, 0);
}

/// The page as the step left it, for a model that sees: a user message
/// after the step's results (OpenAI's API takes images in user messages
/// only, not in tool results).
chat_message page_view_message(const run_record& run) {
  const auto& view = run.step_view;
  chat_message m{"user",
                 "The page after " + view.name + " (step " + std::to_string(run.step)
                   + (view.url.empty() ? "" : ", " + view.url) + "):",
                 {},
                 {}};
  m.image.jpeg_base64 = view.image_base64;
  if (auto size = jpeg_size_base64(view.image_base64)) {
    m.image.width = size->width;
    m.image.height = size->height;
  }
  return m;
}

/// The step's results as `tool` messages, in the order the model asked for
/// the calls (they may finish in any order), then the page as it left it
/// when the model sees.
void add_tool_messages(run_record& run) {
  const auto& calls = run.messages.back().tool_calls;
  for (const auto& call : calls)
    for (const auto& r : run.step_results)
      if (r.call_id == call.id)
        run.messages.push_back({"tool",
                                r.ok || r.error_code == "rejected"
                                  ? r.output
                                  : "error: " + r.output,
                                {},
                                r.call_id});
  if (!run.step_view.image_base64.empty())
    run.messages.push_back(page_view_message(run));
  run.step_view = {};
}

/// Shows a finished call to the run's watch (see next_step()).
void watch_call(run_record& run, const tool_finished& done) {
  std::string_view arguments;
  for (const auto& call : run.messages.back().tool_calls)
    if (call.id == done.call_id)
      arguments = call.arguments;
  watched_call seen;
  seen.tool = done.name;
  seen.arguments_json = arguments;
  seen.url = done.url;
  seen.page_digest = done.page_digest;
  seen.ok = done.ok;
  seen.rejected = done.error_code == "rejected";
  seen.output = done.output;
  run.step_verdict = std::max(run.step_verdict, run.watch.observe(seen));
}

/// The watch saw the model repeat itself: it is told so (and watchers see
/// a `custom` `loop_warning`) before its next turn.
void nudge(self_ptr self, run_record& run) {
  auto& st = self->state;
  auto text = run.watch.nudge_message(st.page_url);
  json_writer body;
  body.begin_object()
    .field("kind", "loop_warning")
    .field("action", run.watch.repeated_action())
    .field("repeats", std::uint64_t{run.watch.repeats()})
    .field("url", st.page_url)
    .field("message", text)
    .end_object();
  emit(self, run, event_type::custom, payload::custom(body.str()));
  run.messages.push_back({"user", std::move(text), {}, {}});
}

/// Every tool of the step is done: the next turn, or the end of the run.
void next_step(self_ptr self, run_record& run) {
  auto& st = self->state;
  run.tools.clear();
  add_tool_messages(run);
  emit(self, run, event_type::update,
       payload::update(run.step, "tools", tools_update_json(run.step_results,
                                                            st.page_url)));
  auto verdict = std::exchange(run.step_verdict, step_watch::verdict::go_on);
  if (verdict == step_watch::verdict::too_many_failures)
    return fail_run(self, run, "too_many_failures", run.watch.failure_summary());
  if (verdict == step_watch::verdict::loop_detected)
    return fail_run(self, run, "loop_detected",
                    "the agent repeated `" + run.watch.repeated_action() + "` "
                      + std::to_string(run.watch.repeats())
                      + " times on a page that did not change (LOOP_STOP)");
  if (run.step >= run.max_steps)
    return finish_run(self, run,
                      "Stopped after " + std::to_string(run.step)
                        + " steps (max_steps) without a final answer.",
                      run_outcome::max_steps);
  if (verdict == step_watch::verdict::nudge)
    nudge(self, run);
  ask_model(self, run);
}

void on_tool_finished(self_ptr self, tool_finished& done) {
  auto& st = self->state;
  auto* run = run_by_number(st, done.run);
  if (!run || run->tools_pending == 0)
    return;
  // A page that shows a secret (echoes what was typed, puts it in a URL)
  // shows the model, the events and the store its placeholder.
  if (const auto& vault = *st.settings.page.secrets; !vault.empty()) {
    done.output = vault.redact(done.output);
    done.url = vault.redact(done.url);
  }
  emit(self, *run, event_type::tool_end,
       payload::tool_end(done.name, done.call_id, done.output, done.ok,
                         done.duration_ms, done.error_code, done.tab));
  if (!done.url.empty()) {
    st.page_url = done.url;
    st.visited_hosts.insert(host_of_url(done.url));
  }
  if (!done.image_base64.empty()) {
    emit(self, *run, event_type::screenshot,
         payload::screenshot("image/jpeg", done.image_base64, done.url, done.tab));
    if (auto image = base64_decode(done.image_base64))
      record_frame(st, *run, *image);
  }
  if (!done.image_base64.empty() && st.settings.page.vision) {
    run->step_view.name = done.name;
    run->step_view.url = done.url;
    run->step_view.image_base64 = std::move(done.image_base64);
  }
  done.image_base64.clear();
  ++run->usage.tool_calls;
  ++st.usage.tool_calls;
  watch_call(*run, done);
  run->step_results.push_back(std::move(done));
  if (--run->tools_pending == 0)
    next_step(self, *run);
  else
    next_call(self, *run);
}

// -- steering: the approval gate, interrupts, pause, control ------------------

/// Runs `call` on the session's page (its tool_call actor says when it
/// starts and ends).
void start_tool(self_ptr self, run_record& run, const tool_call& call) {
  auto& st = self->state;
  if (call.name == "navigate_to" || call.name == "open_tab") {
    json_document doc{call.arguments};
    if (auto url = json_reader{doc}.text("url"))
      st.visited_hosts.insert(host_of_url(*url));
  }
  run.tools.push_back(self->spawn(tool_call_actor, caf::actor{self}, run.number,
                                  call, ensure_page(self),
                                  st.settings.tool_timeout, st.id));
}

/// Ends `call` with a result the session gives itself (a rejection, an
/// answer), as if the tool had run: `tool_end`, then the run goes on.
void finish_call_here(self_ptr self, run_record& run, const tool_call& call,
                      bool ok, std::string output, std::string code = {}) {
  tool_finished done;
  done.run = run.number;
  done.call_id = call.id;
  done.name = call.name;
  done.ok = ok;
  done.output = std::move(output);
  done.error_code = std::move(code);
  on_tool_finished(self, done);
}

void emit_tool_start(self_ptr self, run_record& run, const tool_call& call) {
  emit(self, run, event_type::tool_start,
       payload::tool_start(call.name, tool_input_json(call.arguments), call.id));
}

interrupt_entry* find_interrupt(session_state& st, const std::string& id) {
  for (auto& entry : st.interrupts)
    if (entry.record.id == id)
      return &entry;
  return nullptr;
}

/// Forgets decided interrupts beyond the last few (a late answer to one
/// forgotten gets 404 instead of 409).
void trim_interrupts(session_state& st) {
  constexpr std::size_t kept_decided = 32;
  std::size_t decided = 0;
  for (const auto& entry : st.interrupts)
    decided += entry.record.resolved ? 1 : 0;
  for (auto i = st.interrupts.begin(); decided > kept_decided;) {
    if (i->record.resolved) {
      i = st.interrupts.erase(i);
      --decided;
    } else {
      ++i;
    }
  }
}

void arm_interrupt_timer(self_ptr self, interrupt_entry& entry,
                         std::chrono::milliseconds wait) {
  entry.deadline = std::chrono::steady_clock::now() + wait;
  entry.record.expires_at_ms = unix_millis() + wait.count();
  self->delayed_send(self, wait, interrupt_expired_atom::value, entry.record.id,
                     ++entry.generation);
}

/// Opens an interrupt on `call`: `interrupt`, then `status:
/// waiting_for_human`. Its timer runs unless the run is held.
void open_interrupt(self_ptr self, run_record& run, interrupt_record record,
                    const tool_call& call) {
  auto& st = self->state;
  record.id = random_id("int-");
  record.message_id = run.message_id;
  record.step = run.step;
  record.call_id = call.id;
  record.tool_name = call.name;
  record.tool_input_json = tool_input_json(call.arguments);
  st.interrupts.push_back({std::move(record), call, {}, run.interrupt_timeout, 0});
  auto& entry = st.interrupts.back();
  entry.record.expires_at_ms = unix_millis() + run.interrupt_timeout.count();
  if (!run.paused)
    arm_interrupt_timer(self, entry, run.interrupt_timeout);
  log(log_level::info, "interrupt ", entry.record.id, " (",
      to_string(entry.record.kind), "): session ", st.id, ", messageId ",
      run.message_id);
  count(counter::interrupts_opened);
  emit(self, run, event_type::interrupt, interrupt_json(entry.record));
  emit(self, run, event_type::status,
       payload::status("waiting_for_human", entry.record.reason, run.message_id));
  // A person may take hours: the run waits in the store too, with its
  // page where it is, and comes back waiting after a restart.
  store_run(st, run);
  save_page(self);
}

/// The approval rules' verdict on `call`, with the facts of its target
/// when the rules needed them.
void judge(self_ptr self, run_record& run, const tool_call& call,
           const target_facts* facts) {
  auto& st = self->state;
  auto page_host = host_of_url(st.page_url);
  proposed_action action{call.name, call.arguments, page_host,
                         &st.visited_hosts, facts};
  auto need = approval_needed(run.approve, action);
  if (!need)
    return start_tool(self, run, call);
  interrupt_record record;
  record.kind = interrupt_kind::approval;
  record.rule = need->rule;
  record.reason = std::move(need->reason);
  open_interrupt(self, run, std::move(record), call);
}

/// Asks the page what `call` would act on, then judges it.
void inspect_then_judge(self_ptr self, run_record& run, const tool_call& call) {
  inspect_target(self, call, [self, number = run.number, call](const target_facts& facts) {
    if (auto* run = run_by_number(self->state, number))
      judge(self, *run, call, &facts);
  });
}

void ask_question(self_ptr self, run_record& run, const tool_call& call) {
  json_document doc{call.arguments};
  json_reader args{doc};
  interrupt_record record;
  record.kind = interrupt_kind::question;
  record.question = std::string{args.text("question").value_or("")};
  if (const auto* options = args.array("options"))
    for (const auto& option : options->GetArray())
      if (option.IsString() && record.choices.size() < 10)
        record.choices.emplace_back(option.GetString(), option.GetStringLength());
  if (record.question.empty())
    return finish_call_here(self, run, call, false,
                            "ask_user needs the question to ask");
  record.reason = "the agent asks: " + record.question;
  emit_tool_start(self, run, call);
  open_interrupt(self, run, std::move(record), call);
}

void ask_takeover(self_ptr self, run_record& run, const tool_call& call) {
  json_document doc{call.arguments};
  interrupt_record record;
  record.kind = interrupt_kind::takeover;
  auto why = std::string{json_reader{doc}.text("reason").value_or("")};
  record.reason = "the agent asks you to take over the browser"
                  + (why.empty() ? std::string{} : ": " + why);
  emit_tool_start(self, run, call);
  open_interrupt(self, run, std::move(record), call);
}

/// `done {output}`: a valid output ends the run with it as
/// `complete.output`; an invalid one is the tool's error (one repair turn),
/// the second ends the run `output_invalid`.
void take_output(self_ptr self, run_record& run, const tool_call& call) {
  emit_tool_start(self, run, call);
  json_document doc{call.arguments};
  const auto* output = json_reader{doc}.any("output");
  auto output_json = output ? to_json(*output) : std::string{};
  auto why = output ? schema_violation(run.output_schema, output_json)
                    : std::optional<std::string>{"the call has no `output`"};
  auto end = [&](bool ok, const std::string& said) {
    emit(self, run, event_type::tool_end,
         payload::tool_end(call.name, call.id, said, ok, 0, ok ? "" : "output_invalid"));
  };
  if (!why) {
    end(true, "the output matches the schema");
    auto text = output->IsString() ? std::string{output->GetString(), output->GetStringLength()}
                                   : output_json;
    return finish_run(self, run, std::move(text), run_outcome::complete,
                      std::move(output_json));
  }
  if (++run.bad_outputs >= 2) {
    end(false, *why);
    return finish_run(self, run, "the answer did not match output_schema: " + *why,
                      run_outcome::failed, {}, "output_invalid");
  }
  finish_call_here(self, run, call, false,
                   *why + "; call `done` again with an `output` that matches");
}

/// The step's next call, past the gate; a held run waits.
void next_call(self_ptr self, run_record& run) {
  if (run.calls_waiting.empty())
    return;
  if (run.paused) {
    run.held = held_move::next_call;
    return;
  }
  auto call = std::move(run.calls_waiting.front());
  run.calls_waiting.pop_front();
  if (call.name == "ask_user")
    return ask_question(self, run, call);
  if (call.name == "request_takeover")
    return ask_takeover(self, run, call);
  if (call.name == "done" && !run.output_schema.empty())
    return take_output(self, run, call);
  if (run.approve == 0)
    return start_tool(self, run, call);
  if (needs_target_facts(run.approve, call.name, call.arguments))
    return inspect_then_judge(self, run, call);
  judge(self, run, call, nullptr);
}

/// Stops the clocks of the run's interrupts while it is held.
void hold_interrupt_timers(self_ptr self, const run_record& run) {
  auto now = std::chrono::steady_clock::now();
  for (auto& entry : self->state.interrupts)
    if (entry.pending_for(run)) {
      entry.remaining = std::max(std::chrono::milliseconds{0},
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                   entry.deadline - now));
      ++entry.generation; // voids the timer on its way
    }
}

/// Holds the run before its next step (what runs now finishes).
void hold_run(self_ptr self, run_record& run, const std::string& why) {
  if (!run.paused) {
    run.paused = true;
    hold_interrupt_timers(self, run);
  }
  emit(self, run, event_type::status,
       payload::status("paused", why, run.message_id));
  if (waits_for_person(self->state, run))
    store_run(self->state, run); // its interrupts' clocks stopped
  push_info(self);
}

/// The run goes on where it was held; its interrupts' clocks restart with
/// the time they had left.
void release_run(self_ptr self, run_record& run) {
  run.paused = false;
  bool waiting = false;
  for (auto& entry : self->state.interrupts)
    if (entry.pending_for(run)) {
      arm_interrupt_timer(self, entry, entry.remaining);
      waiting = true;
    }
  emit(self, run, event_type::status,
       payload::status(waiting ? "waiting_for_human" : "running",
                       waiting ? "the run waits for a decision"
                               : "The agent is working on the command",
                       run.message_id));
  if (waiting)
    store_run(self->state, run);
  auto move = std::exchange(run.held, held_move::none);
  if (move == held_move::ask_model)
    ask_model(self, run);
  else if (move == held_move::next_call)
    next_call(self, run);
  push_info(self);
}

void take_control(self_ptr self, const std::string& client, const std::string& by);

/// Carries out a decision on an interrupt of the running run.
void carry_out(self_ptr self, run_record& run, interrupt_entry& entry) {
  const auto& r = entry.record;
  const auto& decision = r.resolution.decision;
  auto call = entry.call;
  auto rejected = "the user rejected this action"
                  + (r.resolution.message.empty() ? std::string{}
                                                  : ": " + r.resolution.message);
  switch (r.kind) {
    case interrupt_kind::approval:
      if (decision == "reject") {
        emit_tool_start(self, run, call);
        return finish_call_here(self, run, call, false, rejected, "rejected");
      }
      if (decision == "edit")
        call.arguments = r.resolution.input_json;
      return start_tool(self, run, call);
    case interrupt_kind::question:
      if (decision == "answer")
        return finish_call_here(self, run, call, true, r.resolution.answer);
      return finish_call_here(self, run, call, true,
                              r.resolution.by == "timeout"
                                ? "(no answer: the user did not answer in time)"
                                : "(no answer: the user declined to answer"
                                    + (r.resolution.message.empty()
                                         ? std::string{}
                                         : ": " + r.resolution.message)
                                    + ")");
    case interrupt_kind::takeover:
      if (decision == "reject")
        return finish_call_here(self, run, call, false, rejected, "rejected");
      // The call waits for the hand-back, which answers it.
      run.takeover_call = call;
      if (!self->state.control.user)
        take_control(self, r.resolution.client, r.resolution.by);
      return;
  }
}

counter counter_of_decision(const interrupt_answer& answer) {
  if (answer.by == "timeout")
    return counter::interrupts_timed_out;
  if (answer.decision == "approve")
    return counter::interrupts_approved;
  if (answer.decision == "edit")
    return counter::interrupts_edited;
  if (answer.decision == "answer")
    return counter::interrupts_answered;
  return counter::interrupts_rejected;
}

/// The first decision wins: `interrupt_resolved` for every watcher, then
/// the run goes on as decided.
void decide(self_ptr self, interrupt_entry& entry, interrupt_answer answer) {
  auto& st = self->state;
  auto& r = entry.record;
  r.resolved = true;
  r.resolution = std::move(answer);
  ++entry.generation;
  log(log_level::info, "interrupt ", r.id, " decided: ", r.resolution.decision,
      " by ", r.resolution.by);
  count(counter_of_decision(r.resolution));
  auto* run = find_run(st, r.message_id);
  if (!run || run->phase != run_phase::running)
    return;
  emit(self, *run, event_type::interrupt_resolved, interrupt_resolved_json(r));
  if (!waits_for_person(st, *run) && !run->paused
      && !(r.kind == interrupt_kind::takeover && r.resolution.decision == "approve"))
    emit(self, *run, event_type::status,
         payload::status("running", "The agent is working on the command",
                         run->message_id));
  auto copy = entry; // carry_out may add interrupts, moving `entry`
  carry_out(self, *run, copy);
  trim_interrupts(st);
  if (run->phase == run_phase::running)
    store_run(st, *run); // nothing waits any more: its checkpoint goes
  push_info(self);
}

/// `{"session", "holder", "by", "client"?}`: the answer to a control request.
std::string control_json(const session_state& st) {
  json_writer out;
  out.begin_object()
    .field("session", st.id)
    .field("holder", st.control.user ? "user" : "agent")
    .field("by", st.control.by)
    .end_object();
  return out.str();
}

/// A `control` event: of the running run, else of the session.
void announce_control(self_ptr self) {
  auto& st = self->state;
  json_writer data;
  data.begin_object()
    .field("holder", st.control.user ? "user" : "agent")
    .field("by", st.control.by);
  auto* run = active_run(st);
  if (run)
    data.field("messageId", run->message_id);
  data.end_object();
  if (run)
    emit(self, *run, event_type::control, data.str());
  else
    stamp(self, {}, event_type::control, data.str(), false);
}

/// A person takes the browser: the run is held (the tool running now
/// finishes), the page is opened if it was not, and a takeover the agent
/// asked for is theirs.
void take_control(self_ptr self, const std::string& client, const std::string& by) {
  auto& st = self->state;
  st.control = {true, client, by};
  ensure_page(self);
  tell_page_activity(self);
  // Opens the page's context now, so the live view shows it at once.
  self->request(st.page, st.settings.tool_timeout,
                tool_request{"where", "{}", true})
    .then([](tool_result&) {}, [](caf::error&) {});
  announce_control(self);
  auto* run = active_run(st);
  if (!run)
    return;
  for (auto& entry : st.interrupts)
    if (!entry.record.resolved && entry.record.kind == interrupt_kind::takeover
        && entry.record.message_id == run->message_id) {
      decide(self, entry, {"approve", {}, {}, {}, by, client});
      break;
    }
  hold_run(self, *run, "the user has control of the browser");
}

/// What the model is told once the person hands the browser back.
std::string handed_back_words(const tool_result& where) {
  json_document doc{where.ok ? where.output : std::string{}};
  json_reader page{doc};
  auto url = std::string{page.text("url").value_or("")};
  auto title = std::string{page.text("title").value_or("")};
  return "The user had control of the browser and handed it back. The page "
         "is now at "
         + (url.empty() ? std::string{"an unknown address"} : url)
         + (title.empty() ? std::string{} : " (\"" + title + "\")") + ".";
}

/// The person hands the browser back: the run goes on, and the model
/// hears where the page is now (as its takeover's result, or a message).
void hand_back(self_ptr self, const std::string& by) {
  auto& st = self->state;
  st.control = {false, {}, by};
  tell_page_activity(self);
  announce_control(self);
  auto* run = active_run(st);
  if (!run || !st.page)
    return;
  self->request(st.page, st.settings.tool_timeout,
                tool_request{"where", "{}", true})
    .then(
      [self, number = run->number](tool_result& where) {
        auto* run = run_by_number(self->state, number);
        if (!run || self->state.control.user)
          return;
        auto words = handed_back_words(where);
        json_document doc{where.ok ? where.output : std::string{}};
        if (auto url = json_reader{doc}.text("url"); url && !url->empty())
          self->state.page_url = std::string{*url};
        auto takeover = std::exchange(run->takeover_call, std::nullopt);
        if (!takeover)
          run->note_for_model = words;
        release_run(self, *run);
        if (takeover)
          finish_call_here(self, *run, *takeover, true, words);
      },
      [](caf::error&) {});
}

api_reply steer_error(api_code code, std::string message) {
  return error_reply(api_error::of(code, std::move(message)));
}

api_reply on_resolve(self_ptr self, steer_session& req) {
  auto& st = self->state;
  auto* entry = find_interrupt(st, req.interrupt_id);
  if (!entry)
    return steer_error(api_code::unknown_interrupt,
                       "no interrupt '" + req.interrupt_id + "' in session '"
                         + st.id + "'");
  const auto& r = entry->record;
  if (r.resolved)
    return steer_error(api_code::interrupt_resolved,
                       "interrupt '" + r.id + "' was already decided: "
                         + r.resolution.decision + " by " + r.resolution.by);
  auto parsed = parse_interrupt_answer(req.body_json);
  if (auto* err = std::get_if<api_error>(&parsed))
    return error_reply(*err);
  auto answer = std::get<interrupt_answer>(std::move(parsed));
  if (auto err = check_answer(r, answer))
    return error_reply(*err);
  if (answer.decision == "edit") {
    const auto* schema = tool_parameters(r.tool_name);
    if (auto why = schema ? schema_mismatch(*schema, answer.input_json) : std::nullopt)
      return steer_error(api_code::bad_tool_input,
                         "the edited input does not fit " + r.tool_name + ": " + *why);
  }
  answer.by = req.by;
  answer.client = req.client;
  auto decided = r;
  decided.resolved = true;
  decided.resolution = answer;
  decide(self, *entry, std::move(answer));
  return {200, interrupt_resolved_json(decided)};
}

/// `{"session", "messageId", "status"}`: the answer to pause and resume.
api_reply run_status_reply(const session_state& st, const run_record& run) {
  json_writer out;
  out.begin_object()
    .field("session", st.id)
    .field("messageId", run.message_id)
    .field("status", run.paused ? "paused" : "running")
    .end_object();
  return {200, out.str()};
}

api_reply on_pause(self_ptr self, bool pause, const std::string& by) {
  auto& st = self->state;
  auto* run = active_run(st);
  if (!run)
    return steer_error(api_code::not_running,
                       "session '" + st.id + "' has no run in progress");
  if (pause) {
    if (!run->paused)
      hold_run(self, *run, "paused by " + by);
    return run_status_reply(st, *run);
  }
  if (st.control.user)
    return steer_error(api_code::control_held,
                       "the user holds the browser: hand it back to resume");
  if (!run->paused)
    return steer_error(api_code::not_paused,
                       "messageId '" + run->message_id + "' is not paused");
  release_run(self, *run);
  return run_status_reply(st, *run);
}

api_reply on_control(self_ptr self, const steer_session& req) {
  auto& st = self->state;
  json_document doc{req.body_json};
  auto holder = json_reader{doc}.text("holder").value_or("");
  if (holder != "user" && holder != "agent")
    return steer_error(api_code::bad_body,
                       "the body must be {\"holder\": \"user\"} or {\"holder\": \"agent\"}");
  if (holder == "user") {
    if (st.control.user && st.control.client != req.client)
      return steer_error(api_code::control_held,
                         "another client holds the browser of session '" + st.id + "'");
    if (!st.settings.browser)
      return steer_error(api_code::bad_body,
                         "the server runs without a browser (BROWSER=none)");
    if (!st.control.user)
      take_control(self, req.client, req.by);
  } else if (st.control.user) {
    if (st.control.client != req.client && req.by != "operator")
      return steer_error(api_code::not_in_control,
                         "only the client holding the browser may hand it back");
    hand_back(self, req.by);
  }
  return {200, control_json(st)};
}

api_reply on_input(self_ptr self, const steer_session& req) {
  auto& st = self->state;
  if (!st.control.user || st.control.client != req.client)
    return steer_error(api_code::not_in_control,
                       "this client does not hold the browser of session '"
                         + st.id + "' (POST /api/sessions/" + st.id
                         + "/control {\"holder\":\"user\"} first)");
  auto command = input_command(req.body_json);
  if (auto* why = std::get_if<std::string>(&command))
    return steer_error(api_code::bad_input_event, *why);
  auto& cdp = std::get<cdp_command>(command);
  self->send(ensure_page(self), page_input_atom::value, cdp.method, cdp.params_json);
  return {202, "{}"};
}

api_reply on_steer(self_ptr self, steer_session& req) {
  switch (req.action) {
    case steer_action::resolve: return on_resolve(self, req);
    case steer_action::pause: return on_pause(self, true, req.by);
    case steer_action::resume: return on_pause(self, false, req.by);
    case steer_action::control: return on_control(self, req);
    default: return on_input(self, req);
  }
}

/// An interrupt's time is up: its default applies (reject an approval or
/// a takeover, no answer to a question).
void on_interrupt_expired(self_ptr self, const std::string& id,
                          std::uint64_t generation) {
  auto* entry = find_interrupt(self->state, id);
  if (!entry || entry->record.resolved || entry->generation != generation)
    return;
  auto decision = entry->record.kind == interrupt_kind::question ? "no_answer"
                                                                 : "reject";
  decide(self, *entry, {decision, {}, {}, "no decision in time", "timeout"});
}

/// A new run's record, its `start` event, and its place in the history.
run_record& create_run(self_ptr self, const stream_request& req) {
  auto& st = self->state;
  run_record fresh;
  fresh.number = ++st.runs_started;
  fresh.message_id = req.message_id;
  // A command that holds a value names it instead, to the model and all.
  fresh.command = st.settings.page.secrets->redact(req.command);
  fresh.stream_mode = mode_mask_to_string(req.modes);
  fresh.first_id = st.next_id;
  fresh.max_steps = req.max_steps != 0 ? req.max_steps : st.settings.max_steps;
  fresh.max_failures = req.max_failures;
  fresh.budget = {req.max_tokens, req.max_cost_usd,
                  std::chrono::milliseconds{req.max_duration_ms}};
  // A run may add approval rules to the server's, never take one away.
  fresh.approve = st.settings.approve | req.approve;
  fresh.output_schema = req.output_schema;
  fresh.rerun.script = req.rerun;
  fresh.interrupt_timeout = req.interrupt_timeout_ms != 0
                              ? std::chrono::milliseconds{req.interrupt_timeout_ms}
                              : st.settings.interrupt_timeout;
  fresh.created_at_ms = unix_millis();
  if (st.title.empty())
    retitle(self, title_from_command(fresh.command));
  st.runs.push_back(std::move(fresh));
  trim_runs(self);
  auto& run = st.runs.back();
  store_run(st, run);
  const auto& llm = st.settings.llm.settings;
  emit(self, run, event_type::start,
       payload::start(st.id, run.message_id, run.command, run.stream_mode,
                      {llm.provider, llm.model}));
  return run;
}

/// Tells the page to screencast while some subscriber wants its frames
/// (at SCREENCAST_FPS) or a running run records them (at RECORD_FPS).
void sync_screencast(self_ptr self) {
  auto& st = self->state;
  auto watched = st.frame_subscribers > 0;
  auto recording = st.settings.page.record && active_run(st) != nullptr;
  std::uint32_t fps = watched     ? st.settings.page.screencast_fps
                      : recording ? st.settings.page.record_fps
                                  : 0;
  if (!st.page || fps == st.screencast_fps)
    return;
  st.screencast_fps = fps;
  self->send(st.page, screencast_atom::value, fps);
}

/// Keeps `jpeg` as a frame of `run` (RECORD), beside the session's files.
void record_frame(session_state& st, run_record& run, std::string_view jpeg) {
  if (!st.settings.page.record)
    return;
  if (auto frames = frames_of(st, run))
    run.frames.add(*frames, unix_millis(), jpeg, st.settings.page.record_max_bytes);
}

/// One screencast frame: recorded for the running run, and encoded once
/// for every subscriber that wants video.
void fan_out_frame(self_ptr self, const screencast_frame& frame) {
  auto& st = self->state;
  auto image = base64_decode(frame.jpeg_base64);
  if (!image)
    return;
  auto* run = active_run(st);
  if (run)
    record_frame(st, *run, *image);
  auto watched = st.frame_subscribers > 0;
  if (!watched)
    return;
  json_writer header;
  header.begin_object()
    .field("type", "frame")
    .field("session", st.id)
    .field("messageId", run ? run->message_id : std::string{})
    .field("mime", "image/jpeg")
    .field("width", static_cast<std::uint64_t>(frame.width))
    .field("height", static_cast<std::uint64_t>(frame.height))
    .field("timestamp", frame.timestamp)
    .end_object();
  video_frame out{std::make_shared<const std::string>(
    make_binary_frame(header.str(), *image))};
  for (auto& sub : st.subscribers)
    if (sub.frames)
      self->send(sub.handle, out);
}

void reject(self_ptr self, const caf::actor& subscriber, api_error why) {
  self->send(subscriber, std::move(why));
}

/// Replays what the subscriber has not seen, then adds it to the live
/// fan-out. Both come from this actor, so it sees them in id order.
void replay_and_follow(self_ptr self, const open_stream& msg,
                       const run_span& span, std::uint64_t after, bool finished) {
  const auto& subscriber = msg.subscriber;
  const auto& req = msg.request;
  auto modes = req.modes;
  auto& st = self->state;
  // The replay reads the log, which holds the waiting events too: they go
  // out now, so the newcomer gets each event once, from the replay.
  deliver_held(self);
  auto plan = plan_replay(st.log, span, after, modes);
  std::vector<event_ptr> replay;
  replay.reserve(plan.events.size() + 1);
  if (plan.lost) {
    count(counter::gaps);
    auto [from, to] = *plan.lost;
    replay.push_back(encode(event{to, event_type::gap, st.id,
                                  std::string{span.message_id},
                                  payload::gap(from, to), false, unix_millis()}));
  }
  for (auto& ev : plan.events)
    replay.push_back(std::move(ev));
  auto direct = msg.sink && !msg.via;
  if (!finished) {
    st.subscribers.push_back({subscriber, std::string{span.message_id}, modes,
                              req.frames, msg.via, direct});
    st.frame_subscribers += req.frames ? 1 : 0;
    self->monitor(subscriber);
    if (stream_watchers::told_by(caf::actor{self}, subscriber))
      st.watchers->add(subscriber);
  }
  // The listing counts the subscriber before its replay can reach its
  // client (a socket on another thread may write it at once).
  push_info(self);
  if (direct) {
    st.sinks.open(subscriber, msg.sink,
                  {std::string{span.message_id}, modes, req.whole_session},
                  std::move(replay), !finished);
  } else if (!replay.empty() || finished) {
    event_batch batch;
    batch.final = finished;
    for (auto& ev : replay)
      batch.events.push_back({std::move(ev)});
    self->send(subscriber, std::move(batch));
  }
  if (!finished) {
    // After its replay, before the next round: the relay hands it that.
    if (msg.via)
      self->send(msg.via,
                 relay_member{subscriber, std::string{span.message_id}, modes});
    sync_screencast(self);
  }
  arm_idle_timer(self);
}

/// Accepts `subscriber` onto `run`.
void attach_subscriber(self_ptr self, const open_stream& msg, run_record& run,
                       bool started_here) {
  auto& st = self->state;
  const auto& req = msg.request;
  // Followed (below) and on this node: told of the session's end.
  auto told = req.subscribe && !run.finished()
              && stream_watchers::told_by(caf::actor{self}, msg.subscriber);
  self->send(msg.subscriber,
             stream_accepted{caf::actor{self}, st.id, run.message_id,
                             std::string{to_string(run.phase)}, req.node,
                             told});
  if (!req.subscribe)
    return;
  // An event id from before this run existed (say, from before a server
  // restart) says nothing about it: the requester gets the run from the top.
  auto resume = req.has_last_event_id && !started_here;
  auto after = resume ? req.last_event_id : run.first_id - 1;
  replay_and_follow(self, msg, {run.message_id, run.first_id, run.last_id},
                    after, run.finished());
}

/// Follows every run of the session: after Last-Event-ID, or from the top of
/// the run in progress (else the latest one).
void attach_session_subscriber(self_ptr self, const open_stream& msg) {
  auto& st = self->state;
  const auto& req = msg.request;
  auto told = stream_watchers::told_by(caf::actor{self}, msg.subscriber);
  self->send(
    msg.subscriber,
    stream_accepted{caf::actor{self}, st.id, {}, "session", req.node, told});
  std::uint64_t after = st.next_id - 1;
  if (req.has_last_event_id)
    after = req.last_event_id;
  else if (auto* run = active_run(st))
    after = run->first_id - 1;
  else if (!st.runs.empty())
    after = st.runs.back().first_id - 1;
  replay_and_follow(self, msg, {"", 1, st.next_id - 1}, after, false);
}

/// A new command while another runs: the request's multitask strategy.
bool admit_while_busy(self_ptr self, const open_stream& msg, run_record& busy) {
  auto& st = self->state;
  const auto& req = msg.request;
  auto refuse = [&](api_error why) {
    self->send(st.manager, run_forgotten{req.message_id});
    reject(self, msg.subscriber, std::move(why));
    return false;
  };
  if (req.strategy == multitask::reject)
    return refuse(api_error::of(
      api_code::session_busy,
      "session '" + st.id + "' is still running messageId '" + busy.message_id
        + "' (multitask=enqueue or interrupt to run anyway)"));
  if (req.strategy == multitask::enqueue
      && st.queue.size() >= st.settings.max_queued_runs)
    return refuse(
      api_error::of(api_code::queue_full, "session '" + st.id + "' already has "
                                            + std::to_string(st.queue.size())
                                            + " runs waiting"));
  return true;
}

void on_open_stream(self_ptr self, open_stream& msg) {
  auto& st = self->state;
  auto& req = msg.request;
  if (req.has_last_event_id)
    count(counter::resumes);
  if (req.whole_session)
    return attach_session_subscriber(self, msg);
  auto* run = find_run(st, req.message_id);
  auto started_here = run == nullptr;
  if (!run) {
    if (req.command.empty())
      return reject(self, msg.subscriber,
                    api_error::of(api_code::unknown_run,
                                  "no run with messageId '" + req.message_id
                                    + "' in this session"));
    if (st.stopping)
      return reject(
        self, msg.subscriber,
        api_error::of(api_code::shutting_down, "the session is ending"));
    auto* busy = active_run(st);
    if (busy && !admit_while_busy(self, msg, *busy))
      return;
    run = &create_run(self, req);
    if (!busy) {
      run->requested = req.received;
      st.starter_context
        = msg.sink && req.subscribe ? msg.sink->io_context() : nullptr;
      begin_run(self, *run);
    } else if (req.strategy == multitask::enqueue) {
      st.queue.push_back(run->message_id);
      emit(self, *run, event_type::status,
           payload::status("queued", "waits for messageId '" + busy->message_id
                                       + "' (position "
                                       + std::to_string(st.queue.size()) + ")",
                           run->message_id));
    } else {
      // Interrupt: first in line, then the running one stops, which starts it.
      st.queue.push_front(run->message_id);
      emit(self, *run, event_type::status,
           payload::status("queued", "interrupting messageId '"
                                       + busy->message_id + "'",
                           run->message_id));
      cancel(self, *busy, "interrupted by messageId '" + run->message_id + "'");
    }
    // The listing shows it now (running or queued, and its title), not
    // only once a stream attaches or the run ends.
    push_info(self);
  }
  if (run->finished() && req.has_last_event_id
      && req.last_event_id >= run->last_id)
    return reject(
      self, msg.subscriber,
      api_error::of(api_code::run_finished,
                    "the run is finished and nothing is left to replay"));
  attach_subscriber(self, msg, *run, started_here);
}

/// Takes `who` out of the subscribers; false if it was not one. Swapped
/// with the last, not shifted: the order does not matter, and 10,000
/// subscribers leaving at once shifted ~50 M entries. Pointers compared
/// inline (actor == actor_addr is a call into CAF).
bool forget_subscriber(session_state& st, const caf::actor_addr& who) {
  auto& subs = st.subscribers;
  auto before = subs.size();
  auto* gone = caf::actor_cast<caf::actor_control_block*>(who);
  for (std::size_t i = 0; i < subs.size();) {
    if (caf::actor_cast<caf::actor_control_block*>(subs[i].handle) != gone) {
      ++i;
      continue;
    }
    st.frame_subscribers -= subs[i].frames ? 1 : 0;
    if (i + 1 != subs.size())
      subs[i] = std::move(subs.back());
    subs.pop_back();
  }
  return subs.size() != before;
}

void on_down(self_ptr self, const caf::down_msg& down) {
  auto& st = self->state;
  if (auto* run = active_run(st); run && run->llm && run->llm == down.source) {
    run->llm = nullptr;
    return fail_run(self, *run, "llm_failed",
                    "the model call ended unexpectedly: "
                      + self->system().render(down.reason));
  }
  auto left = forget_subscriber(st, down.source);
  st.watchers->remove(down.source);
  st.sinks.remove(down.source);
  if (left) {
    sync_screencast(self);
    push_info(self);
    arm_idle_timer(self);
  }
}

/// Ends every run, the queued ones first so none starts, then the session:
/// whole-session subscribers get a final `status: closed`.
void close_session(self_ptr self, const std::string& why,
                   const std::function<void(run_record&)>& end_one) {
  auto& st = self->state;
  st.stopping = true;
  while (!st.queue.empty()) {
    auto* run = find_run(st, st.queue.front());
    st.queue.pop_front();
    if (run && run->phase == run_phase::queued)
      end_one(*run);
  }
  if (auto* run = active_run(st))
    end_one(*run);
  stamp(self, {}, event_type::status, payload::status("closed", why), true);
  self->quit();
}

api_reply on_cancel_session(self_ptr self, const cancel_session& req) {
  auto& st = self->state;
  auto* run = active_run(st);
  auto cancelled = run ? run->message_id : std::string{};
  if (!req.remove) {
    if (run)
      cancel(self, *run, req.reason.empty() ? "stopped on request" : req.reason);
    return {200, cancel_reply_json(st.id, cancelled)};
  }
  auto why = req.reason.empty() ? std::string{"the session was deleted"} : req.reason;
  std::vector<std::string> ended;
  close_session(self, why, [&](run_record& r) {
    ended.push_back(r.message_id);
    cancel(self, r, why);
  });
  store_session_end(st, true);
  // Its files go with it (its page, which may be downloading, ends with it).
  if (auto files = artifact_folder::of(st.settings.page.artifacts_dir, st.id))
    files->remove();
  return {200, delete_reply_json(st.id, ended)};
}

/// A run waiting for a person outlives the process: the store has it as
/// of now, and it comes back waiting. Its streams end with a word that is
/// no event of the run (no id, `final: false`): clients reconnect and
/// resume it once the server is back.
void leave_waiting(self_ptr self, run_record& run) {
  auto& st = self->state;
  store_run(st, run);
  deliver_held(self);
  auto notice = encode(event{
    0, event_type::error, st.id, run.message_id,
    payload::run_error("server_shutdown",
                       "the server is shutting down; this run waits for a "
                       "decision and goes on when the server is back",
                       run.message_id, false),
    true, unix_millis()});
  for (const auto& sub : st.subscribers) {
    if (sub.message_id != run.message_id || sub.via)
      continue;
    if (sub.direct)
      st.sinks.notify(sub.handle, notice);
    else
      self->send(sub.handle, event_frame{notice});
  }
  drop_subscribers_of(self, run.message_id);
}

void shut_down(self_ptr self) {
  close_session(self, "the server is shutting down", [self](run_record& run) {
    if (run.phase == run_phase::running && waits_for_person(self->state, run))
      return leave_waiting(self, run);
    fail_run(self, run, "server_shutdown", "the server is shutting down");
  });
}

/// A run waiting for a person keeps its page where it is: the page's
/// state is saved once more (briefly waited for) before the session ends.
void on_shutdown(self_ptr self) {
  auto& st = self->state;
  st.stopping = true;
  auto* run = active_run(st);
  if (!run || !waits_for_person(st, *run) || !st.settings.store || !st.page)
    return shut_down(self);
  constexpr auto save_wait = std::chrono::seconds{2};
  self->request(st.page, save_wait, save_page_atom::value)
    .then(
      [self](std::string& state_json) {
        if (!state_json.empty())
          store_page(self->state, std::move(state_json));
        shut_down(self);
      },
      [self](caf::error&) { shut_down(self); });
}

/// After a restart: the runs the process left unfinished end now, each
/// with an `error` a client resuming it reads after what it missed. A
/// queued one did not start and does not start late, unwatched.
void end_unfinished_runs(self_ptr self) {
  auto& st = self->state;
  for (auto& run : st.runs) {
    if (run.finished() || waits_for_person(st, run))
      continue;
    auto queued = run.phase == run_phase::queued;
    auto message = queued ? std::string{"the server restarted before this queued "
                                        "run started; send it again"}
                          : std::string{"the server restarted while this run "
                                        "was running"};
    run.result = message;
    run.outcome = run_outcome::failed;
    emit(self, run, event_type::error,
         payload::run_error("server_restarted", message, run.message_id, true),
         true);
  }
}

/// After a restart: the clocks of the interrupts a waiting run came back
/// with (one that ran out meanwhile takes its default at once); a paused
/// run keeps its interrupts' time until it is resumed.
void rearm_interrupts(self_ptr self) {
  auto& st = self->state;
  for (auto& entry : st.interrupts) {
    auto* run = find_run(st, entry.record.message_id);
    if (entry.record.resolved || !run)
      continue;
    log(log_level::info, "interrupt ", entry.record.id, " waits again: session ",
        st.id, ", messageId ", run->message_id);
    if (!run->paused)
      arm_interrupt_timer(self, entry, entry.remaining);
  }
}

/// The session as the store kept it, its unfinished runs ended.
void come_back(self_ptr self, const restored_session& saved) {
  auto& st = self->state;
  restore_session(st, saved);
  log(log_level::info, "session ", st.id, " restored: ", st.runs.size(),
      st.runs.size() == 1 ? " run, " : " runs, ", st.log.size(), " events");
  end_unfinished_runs(self);
  rearm_interrupts(self);
}

/// One page tool outside any run, for an MCP client that drives the
/// browser itself: not while a run or a person has the browser.
caf::result<api_reply> on_session_tool(self_ptr self, session_tool& req) {
  auto& st = self->state;
  if (active_run(st))
    return error_reply(api_error::of(api_code::session_busy,
                                     "a run is using this session's browser; wait "
                                     "for it to end"));
  if (st.control.user)
    return error_reply(api_error::of(api_code::control_held,
                                     "a person holds this session's browser"));
  auto promise = self->make_response_promise<api_reply>();
  ensure_page(self);
  // Its context is held while the tool runs, as a run's would be.
  ++st.direct_tools;
  tell_page_activity(self);
  auto finished = [self] {
    --self->state.direct_tools;
    tell_page_activity(self);
  };
  self
    ->request(st.page, st.settings.tool_timeout,
              tool_request{req.name, req.arguments_json, false})
    .then(
      [self, promise, finished](tool_result& done) mutable {
        finished();
        auto& st = self->state;
        const auto& vault = *st.settings.page.secrets;
        if (!done.url.empty())
          st.page_url = vault.redact(done.url);
        json_writer out;
        out.begin_object()
          .field("ok", done.ok)
          .field("output", vault.redact(done.output))
          .field("image", done.image_base64)
          .field("url", st.page_url)
          .end_object();
        promise.deliver(api_reply{200, out.str()});
      },
      [promise, finished](caf::error& err) mutable {
        finished();
        promise.deliver(error_reply(api_error::of(
          api_code::unavailable, "the page did not answer: " + caf::to_string(err))));
      });
  return promise;
}

/// `PATCH /api/sessions/{id}`: its title, its own secrets (all or none:
/// the page gets the new vault before the next tool can run).
api_reply on_update(self_ptr self, update_session& req) {
  auto& st = self->state;
  if (!req.secrets.set.empty() || !req.secrets.removed.empty()) {
    if (auto why = st.secrets.apply(std::move(req.secrets)))
      return error_reply(api_error::of(api_code::bad_secrets, std::move(*why)));
    st.settings.page.secrets = st.secrets.vault();
    if (st.page)
      self->send(st.page, page_secrets{st.secrets.vault()});
  }
  if (!req.title.empty()) {
    retitle(self, std::move(req.title));
    push_info(self);
  }
  return api_reply{200, describe_json(st)};
}

/// A run's video: made by a detached actor (ffmpeg takes seconds), which
/// answers the request itself.
caf::result<api_reply> run_video(self_ptr self, const run_record& run) {
  auto& st = self->state;
  auto frames = frames_of(st, run);
  video_job job;
  if (frames) {
    job.folder = frames->path();
    job.frames = frames->list();
  }
  if (job.frames.empty())
    return error_reply(api_error::of(
      api_code::no_frames, "run " + run.message_id + " recorded no frames to make a video of"));
  job.span = {run.created_at_ms, run.finished() ? run.ended_at_ms : unix_millis()};
  job.finished = run.finished();
  auto maker = self->spawn<caf::detached>(run_media);
  self->delegate(maker, std::move(job));
  return caf::delegated<api_reply>{};
}

/// A run's report: its events from the log, its frames read and inlined by
/// a detached actor (a long run's frames are megabytes).
caf::result<api_reply> run_report(self_ptr self, const run_record& run) {
  auto& st = self->state;
  report_job job;
  job.session = st.id;
  job.message_id = run.message_id;
  job.folder = frames_of(st, run);
  if (job.folder)
    job.frames = job.folder->list();
  auto plan = plan_replay(st.log, {run.message_id, run.first_id, run.last_id}, 0, all_modes);
  for (auto& ev : plan.events)
    if (job.frames.empty() || ev->raw.type != event_type::screenshot)
      job.events.push_back(std::move(ev));
  auto maker = self->spawn<caf::detached>(run_media);
  self->delegate(maker, std::move(job));
  return caf::delegated<api_reply>{};
}

/// `GET /api/runs/{messageId}/frames`, `/frames/{id}`, `/video`, `/report`.
caf::result<api_reply> on_read_view(self_ptr self, const read_run_view& req) {
  auto* run = find_run(self->state, req.message_id);
  if (!run)
    return error_reply(api_error::unknown_run(req.message_id));
  switch (req.view) {
    case run_view::frames:
      return run_frames_reply(self->state, *run, 0);
    case run_view::frame:
      return run_frames_reply(self->state, *run, std::max<std::uint64_t>(req.frame_id, 1));
    case run_view::video:
      return run_video(self, *run);
    case run_view::report:
      return run_report(self, *run);
    default:
      return error_reply(api_error::of(api_code::not_found, "no such view of a run"));
  }
}

} // namespace

caf::behavior session(caf::stateful_actor<session_state>* self, std::string id,
                      session_settings settings, caf::actor manager,
                      session_origin origin) {
  auto& st = self->state;
  st.id = std::move(id);
  st.client = std::move(origin.client);
  st.log = event_log{settings.log_max_events, settings.log_max_bytes};
  st.settings = std::move(settings);
  st.secrets = session_secrets{st.settings.page.secrets};
  if (!origin.secrets.empty()) {
    st.secrets.apply({std::move(origin.secrets), {}});
    st.settings.page.secrets = st.secrets.vault();
  }
  if (!origin.title.empty())
    st.title = std::move(origin.title);
  st.pacer = fanout_pacer{st.settings.fanout_rate};
  st.round = fanout_round{wake_with(self, fanout_atom::value)};
  st.manager = std::move(manager);
  st.created_at_ms = unix_millis();
  st.stats = join_registry(self, "session", st.id);
  count(counter::sessions_created);
  self->set_down_handler([self](caf::down_msg& down) { on_down(self, down); });
  // However the session ends, its followers of this node learn it the way
  // a monitor would have told them.
  self->attach_functor([watchers = st.watchers,
                        session = self->address()](const caf::error& reason) {
    watchers->tell_end(session, reason);
  });
  if (origin.restored) {
    come_back(self, *origin.restored);
    set_registry_title(self, st.title);
  }
  // Its row, once (live again after a revival); a new title writes it anew.
  store_session(st);
  push_info(self);
  arm_idle_timer(self);
  return counting_behavior(
    st.stats.get(),
    [self](open_stream& msg) { on_open_stream(self, msg); },
    [self](llm_delta& delta) {
      auto* run = run_by_number(self->state, delta.run);
      // A call cut or cancelled may have sent more before it went.
      if (!run || !run->llm)
        return;
      ++run->tokens_streamed;
      emit(self, *run, event_type::token,
           payload::token(delta.text, run->tokens_streamed));
      if (run->tokens_streamed == 1)
        observe_first_token(*run, delta.model_first_ns);
      on_streamed_token(self, *run);
    },
    [self](run_deadline_atom, std::uint64_t number) { on_run_deadline(self, number); },
    [self](llm_done& done) { on_llm_done(self, done); },
    [self](llm_failed& failed) {
      if (auto* run = release_call(self, failed.run))
        fail_run(self, *run, failed.code, failed.message);
    },
    [self](llm_retrying& retry) {
      auto* run = run_by_number(self->state, retry.run);
      if (!run)
        return;
      emit(self, *run, event_type::status,
           payload::status("retrying",
                           retry.reason + "; retrying in "
                             + std::to_string(retry.delay_ms) + " ms",
                           run->message_id));
    },
    [self](tool_started& started) {
      auto* run = run_by_number(self->state, started.run);
      if (!run)
        return;
      emit(self, *run, event_type::tool_start,
           payload::tool_start(started.name, tool_input_json(started.arguments_json),
                               started.call_id));
    },
    [self](tool_finished& done) { on_tool_finished(self, done); },
    [self](context_wait_atom, std::uint64_t ahead, std::uint64_t running) {
      if (auto* run = active_run(self->state))
        emit(self, *run, event_type::status,
             payload::waiting(run->message_id, ahead, running));
    },
    [self](page_reopened_atom, const std::string& what) {
      if (auto* run = active_run(self->state))
        emit(self, *run, event_type::status,
             payload::status("reopened", what, run->message_id));
    },
    [self](screencast_frame& frame) { fan_out_frame(self, frame); },
    [self](artifact_saved& file) {
      // Of the running run, else of the session (a download that finished
      // after its run did).
      auto& st = self->state;
      auto data = payload::artifact(st.id, file.name, file.mime, file.bytes,
                                    file.source);
      if (auto* run = active_run(st))
        emit(self, *run, event_type::artifact, std::move(data));
      else
        stamp(self, {}, event_type::artifact, std::move(data), false);
    },
    [self](tool_note& note) {
      auto* run = active_run(self->state);
      if (!run)
        return;
      json_writer body;
      body.begin_object()
        .field("source", "browser")
        .field("tool", note.tool)
        .field("message", note.message)
        .end_object();
      emit(self, *run, event_type::custom, payload::custom(body.str()));
    },
    [self](browser_lost_atom) {
      self->state.page_url.clear();
      if (auto* run = active_run(self->state))
        emit(self, *run, event_type::error,
             payload::run_error("browser_crashed",
                                "the browser crashed; the page was reset and "
                                "the next step gets a fresh one",
                                run->message_id, false));
    },
    [self](cancel_run& req) {
      auto* run = find_run(self->state, req.message_id);
      if (run && !run->finished())
        cancel(self, *run, req.reason);
    },
    [self](cancel_session& req) { return on_cancel_session(self, req); },
    [self](update_session& req) { return on_update(self, req); },
    [self](session_tool& req) { return on_session_tool(self, req); },
    // The page says when a direct tool begins (its timeout's start, for a
    // run's tool_call); the request's own timeout bounds it here.
    [](tool_begun_atom) {},
    [self](describe_session&) {
      return api_reply{200, describe_json(self->state)};
    },
    [self](steer_session& req) { return on_steer(self, req); },
    [self](interrupt_expired_atom, const std::string& id,
           std::uint64_t generation) {
      on_interrupt_expired(self, id, generation);
    },
    [self](read_run_events& req) {
      auto* run = find_run(self->state, req.message_id);
      if (!run)
        return error_reply(api_error::unknown_run(req.message_id));
      return api_reply{200, run_events_json(self->state, *run, req.after_id)};
    },
    [self](read_run_view& req) { return on_read_view(self, req); },
    [self](shutdown_atom) { on_shutdown(self); },
    [self](fanout_atom) { next_round(self); },
    [self](idle_check_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation == st.idle_generation && !active_run(st)
          && st.subscribers.empty()) {
        store_session_end(st, false);
        self->quit();
      }
    });
}

} // namespace agenttheo
