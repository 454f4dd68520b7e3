#include "actors/session.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include <rapidjson/document.h>

#include "actors/clock.hpp"
#include "actors/llm_call.hpp"
#include "actors/tool_call.hpp"
#include "browser/browser_tools.hpp"
#include "llm/system_prompt.hpp"
#include "messages/json_writer.hpp"
#include "messages/messages.hpp"

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
  if (st.runs.empty() || st.runs.back().finished)
    return nullptr;
  return &st.runs.back();
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

void push_info(self_ptr self) {
  auto& st = self->state;
  session_info info;
  info.id = st.id;
  auto* run = active_run(st);
  info.state = st.stopping ? "stopping" : run ? "running" : "idle";
  info.runs = st.runs_started;
  info.subscribers = st.subscribers.size();
  info.current_message_id = run ? run->message_id
                            : st.runs.empty() ? std::string{}
                                              : st.runs.back().message_id;
  info.created_at_ms = st.created_at_ms;
  info.updated_at_ms = unix_millis();
  self->send(st.manager, std::move(info));
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
    return true;
  });
  subs.erase(last, subs.end());
}

/// Stamps, logs and fans out one event of `run`.
void emit(self_ptr self, run_record& run, event_type type, std::string data,
          bool terminal = false) {
  auto& st = self->state;
  auto ev = encode(
    event{st.next_id++, type, st.id, run.message_id, std::move(data), terminal});
  st.log.append(ev);
  run.last_id = ev->raw.id;
  for (auto& sub : st.subscribers)
    if (sub.message_id == run.message_id && wants(sub.modes, type))
      self->send(sub.handle, event_frame{ev});
  if (terminal) {
    run.finished = true;
    // Subscribers close their stream on the terminal event by themselves.
    drop_subscribers_of(self, run.message_id);
    push_info(self);
    arm_idle_timer(self);
  }
}

void finish_run(self_ptr self, run_record& run, std::string result,
                bool cancelled) {
  payload::completion done;
  done.result = std::move(result);
  done.steps = cancelled ? 0 : 1;
  done.tokens = run.usage;
  done.tokens_streamed = run.tokens_streamed;
  done.duration_ms = elapsed_ms(run);
  done.cancelled = cancelled;
  done.message_id = run.message_id;
  emit(self, run, event_type::complete, payload::complete(done), true);
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

/// Stops the run's model call and tool calls, whatever they were doing.
void stop_llm(self_ptr self, run_record& run) {
  if (run.llm) {
    self->demonitor(run.llm);
    self->send_exit(run.llm, caf::exit_reason::kill);
    run.llm = nullptr;
  }
  for (auto& tool : run.tools)
    self->send_exit(tool, caf::exit_reason::kill);
  run.tools.clear();
  run.tools_pending = 0;
}

/// Forgets the oldest finished runs beyond the configured history.
void trim_runs(self_ptr self) {
  auto& st = self->state;
  while (st.runs.size() > st.settings.max_runs && st.runs.front().finished) {
    self->send(st.manager, run_forgotten{st.runs.front().message_id});
    st.runs.pop_front();
  }
}

caf::actor spawn_llm_call(self_ptr self, const run_record& run) {
  auto& st = self->state;
  llm_request request;
  request.command = run.command;
  request.messages = run.messages;
  if (st.settings.browser)
    request.tools = browser_tools();
  if (st.settings.llm.settings.is_planner())
    return self->spawn(planner_call, caf::actor{self}, run.number,
                       std::move(request), st.settings.llm);
  return self->spawn(openai_call, caf::actor{self}, run.number,
                     std::move(request), st.settings.llm);
}

/// Tool calls need the browser, which this build does not drive yet: the
/// run ends with an error that names what was asked for.
void report_missing_tools(self_ptr self, run_record& run,
                          const std::vector<tool_call>& calls) {
  std::string names;
  for (const auto& call : calls)
    names += (names.empty() ? "" : ", ") + call.name;
  emit(self, run, event_type::error,
       payload::error("capability_missing",
                      "the model asked for " + names
                        + ", but this build has no browser tools yet"),
       true);
}

/// The arguments as JSON to put in `tool_start`: the model's text when it
/// is a JSON object, else that text as a JSON string.
std::string tool_input_json(const std::string& arguments) {
  rapidjson::Document doc;
  doc.Parse(arguments.c_str());
  if (!doc.HasParseError() && doc.IsObject())
    return arguments;
  json_writer out;
  out.value(arguments);
  return out.str();
}

/// The model asked for tools: run them, each a tool_call actor on the
/// session's page (which runs them in order).
void run_tools(self_ptr self, run_record& run, const std::vector<tool_call>& calls) {
  auto& st = self->state;
  if (!st.page)
    st.page = self->spawn(page, st.settings.browser, st.settings.page,
                          caf::actor{self});
  run.tools_pending = calls.size();
  for (const auto& call : calls)
    run.tools.push_back(self->spawn(tool_call_actor, caf::actor{self}, run.number,
                                    call, st.page, st.settings.tool_timeout));
}

/// Every tool of the step is done: the next turn, or the end of the run.
void next_step(self_ptr self, run_record& run) {
  auto& st = self->state;
  run.tools.clear();
  emit(self, run, event_type::update,
       payload::update(run.step, "tools",
                       R"({"messages":)" + std::to_string(run.messages.size())
                         + "}"));
  if (run.step >= st.settings.max_steps)
    return finish_run(self, run,
                      "Stopped after " + std::to_string(run.step)
                        + " steps (MAX_STEPS) without a final answer.",
                      false);
  ++run.step;
  emit(self, run, event_type::progress,
       payload::progress(run.step, st.settings.max_steps, "Asking the model"));
  run.llm = spawn_llm_call(self, run);
  self->monitor(run.llm);
}

void on_tool_finished(self_ptr self, tool_finished& done) {
  auto* run = run_by_number(self->state, done.run);
  if (!run || run->tools_pending == 0)
    return;
  emit(self, *run, event_type::tool_end,
       payload::tool_end(done.name, done.call_id, done.output, done.ok,
                         done.duration_ms));
  if (!done.image_base64.empty())
    emit(self, *run, event_type::screenshot,
         payload::screenshot("image/jpeg", done.image_base64, done.url));
  run->messages.push_back({"tool", done.ok ? done.output : "error: " + done.output,
                           {}, done.call_id});
  if (--run->tools_pending == 0)
    next_step(self, *run);
}

run_record& start_run(self_ptr self, const stream_request& req) {
  auto& st = self->state;
  run_record fresh;
  fresh.number = ++st.runs_started;
  fresh.message_id = req.message_id;
  fresh.command = req.command;
  fresh.first_id = st.next_id;
  fresh.started = std::chrono::steady_clock::now();
  st.runs.push_back(std::move(fresh));
  trim_runs(self);
  auto& run = st.runs.back();
  run.messages = {{"system", std::string{system_prompt}, {}, {}},
                  {"user", run.command, {}, {}}};
  const auto& llm = st.settings.llm.settings;
  emit(self, run, event_type::start,
       payload::start(st.id, run.message_id, run.command,
                      mode_mask_to_string(req.modes),
                      {llm.provider, llm.model}));
  emit(self, run, event_type::status,
       payload::status("running", "The agent is working on the command"));
  emit(self, run, event_type::progress,
       payload::progress(1, st.settings.max_steps, "Asking the model"));
  run.llm = spawn_llm_call(self, run);
  self->monitor(run.llm);
  return run;
}

void reject(self_ptr self, const caf::actor& subscriber, std::uint16_t status,
            std::string code, std::string message) {
  self->send(subscriber,
             stream_rejected{status, std::move(code), std::move(message)});
}

/// Accepts `subscriber` onto `run`: replays what it has not seen, then, if
/// the run goes on, adds it to the live fan-out. Both come from this actor,
/// so the subscriber sees replay and live events in id order.
void attach_subscriber(self_ptr self, const open_stream& msg, run_record& run,
                       bool started_here) {
  auto& st = self->state;
  const auto& req = msg.request;
  self->send(msg.subscriber,
             stream_accepted{caf::actor{self}, st.id, run.message_id});
  // An event id from before this run existed (say, from before a server
  // restart) says nothing about it: the requester gets the run from the top.
  auto resume = req.has_last_event_id && !started_here;
  auto after = resume ? req.last_event_id : run.first_id - 1;
  auto plan = plan_replay(st.log, {run.message_id, run.first_id, run.last_id},
                          after, req.modes);
  event_batch batch;
  if (plan.lost) {
    auto [from, to] = *plan.lost;
    batch.events.push_back({encode(
      event{to, event_type::gap, st.id, run.message_id, payload::gap(from, to)})});
  }
  for (auto& ev : plan.events)
    batch.events.push_back({std::move(ev)});
  batch.final = run.finished;
  if (!batch.events.empty() || batch.final)
    self->send(msg.subscriber, std::move(batch));
  if (!run.finished) {
    st.subscribers.push_back({msg.subscriber, run.message_id, req.modes});
    self->monitor(msg.subscriber);
  }
  push_info(self);
  arm_idle_timer(self);
}

void on_open_stream(self_ptr self, open_stream& msg) {
  auto& st = self->state;
  auto& req = msg.request;
  auto* run = find_run(st, req.message_id);
  auto started_here = run == nullptr;
  if (!run) {
    if (req.command.empty())
      return reject(self, msg.subscriber, 404, "unknown_run",
                    "no run with messageId '" + req.message_id
                      + "' in this session");
    if (st.stopping)
      return reject(self, msg.subscriber, 503, "shutting_down",
                    "the server is shutting down");
    if (auto* busy = active_run(st)) {
      self->send(st.manager, run_forgotten{req.message_id});
      return reject(self, msg.subscriber, 409, "session_busy",
                    "session '" + st.id + "' is still running messageId '"
                      + busy->message_id + "'");
    }
    run = &start_run(self, req);
  }
  if (run->finished && req.has_last_event_id
      && req.last_event_id >= run->last_id)
    return reject(self, msg.subscriber, 204, "run_finished",
                  "the run is finished and nothing is left to replay");
  attach_subscriber(self, msg, *run, started_here);
}

void on_down(self_ptr self, const caf::down_msg& down) {
  auto& st = self->state;
  if (auto* run = active_run(st); run && run->llm && run->llm == down.source) {
    run->llm = nullptr;
    emit(self, *run, event_type::error,
         payload::error("llm_failed", "the model call ended unexpectedly: "
                                        + self->system().render(down.reason)),
         true);
    return;
  }
  auto& subs = st.subscribers;
  auto before = subs.size();
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](auto& s) { return s.handle == down.source; }),
             subs.end());
  if (subs.size() != before) {
    push_info(self);
    arm_idle_timer(self);
  }
}

void on_shutdown(self_ptr self) {
  auto& st = self->state;
  st.stopping = true;
  if (auto* run = active_run(st)) {
    stop_llm(self, *run);
    emit(self, *run, event_type::error,
         payload::error("server_shutdown", "the server is shutting down"),
         true);
  }
  self->quit();
}

} // namespace

caf::behavior session(caf::stateful_actor<session_state>* self, std::string id,
                      session_settings settings, caf::actor manager) {
  auto& st = self->state;
  st.id = std::move(id);
  st.log = event_log{settings.log_max_events, settings.log_max_bytes};
  st.settings = std::move(settings);
  st.manager = std::move(manager);
  st.created_at_ms = unix_millis();
  self->set_down_handler([self](caf::down_msg& down) { on_down(self, down); });
  push_info(self);
  arm_idle_timer(self);
  return {
    [self](open_stream& msg) { on_open_stream(self, msg); },
    [self](llm_delta& delta) {
      auto* run = run_by_number(self->state, delta.run);
      if (!run)
        return;
      ++run->tokens_streamed;
      emit(self, *run, event_type::token,
           payload::token(delta.text, run->tokens_streamed));
    },
    [self](llm_done& done) {
      auto* run = release_call(self, done.run);
      if (!run)
        return;
      run->usage = {done.prompt_tokens, done.completion_tokens};
      emit(self, *run, event_type::message,
           payload::message("assistant", done.content, 1, done.tool_calls));
      if (!done.tool_calls.empty()) {
        if (!self->state.settings.browser)
          return report_missing_tools(self, *run, done.tool_calls);
        run->messages.push_back({"assistant", done.content, done.tool_calls, {}});
        return run_tools(self, *run, done.tool_calls);
      }
      emit(self, *run, event_type::update,
           payload::update(1, "agent",
                           R"({"messages":1,"tool_calls":0,"finished":true})"));
      finish_run(self, *run, std::move(done.content), false);
    },
    [self](llm_failed& failed) {
      auto* run = release_call(self, failed.run);
      if (!run)
        return;
      emit(self, *run, event_type::error,
           payload::error(failed.code, failed.message), true);
    },
    [self](llm_retrying& retry) {
      auto* run = run_by_number(self->state, retry.run);
      if (!run)
        return;
      emit(self, *run, event_type::status,
           payload::status("retrying",
                           retry.reason + "; retrying in "
                             + std::to_string(retry.delay_ms) + " ms"));
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
    [self](context_wait_atom) {
      if (auto* run = active_run(self->state))
        emit(self, *run, event_type::status,
             payload::status("waiting", "every browser context is in use; "
                                        "this session waits for one to free up"));
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
      if (auto* run = active_run(self->state))
        emit(self, *run, event_type::error,
             payload::error("browser_crashed",
                            "the browser crashed; the page was reset and the "
                            "next step gets a fresh one"));
    },
    [self](cancel_run& cancel) {
      auto* run = active_run(self->state);
      if (!run || run->message_id != cancel.message_id)
        return;
      stop_llm(self, *run);
      emit(self, *run, event_type::status,
           payload::status("cancelled", cancel.reason));
      finish_run(self, *run, "", true);
    },
    [self](shutdown_atom) { on_shutdown(self); },
    [self](idle_check_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation == st.idle_generation && !active_run(st)
          && st.subscribers.empty())
        self->quit();
    },
  };
}

} // namespace agenttheo
