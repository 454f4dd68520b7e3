#include "actors/browser.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"
#include "browser/stale_profiles.hpp"
#include "config/log.hpp"
#include "messages/messages.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<browser_state>*;

cdp_result failure(std::string why) {
  return {false, std::move(why)};
}

/// Fails every request in flight: their browser is gone.
void fail_pending(self_ptr self, const std::string& why) {
  auto pending = std::move(self->state.pending);
  self->state.pending.clear();
  for (auto& [id, handler] : pending)
    handler(failure(why));
}

} // namespace

void running_chromium::stop() {
  if (!process)
    return;
  kill_chromium(*process);
  pipe.reset(); // joins the reader, which saw EOF
  release_chromium(*process);
  process.reset();
}

namespace {

bool ensure_chromium(self_ptr self, std::string& error) {
  auto& st = self->state;
  auto& chromium = *st.chromium;
  if (chromium.process)
    return true;
  chromium_settings how;
  how.path = st.settings.chromium_path;
  how.flags.insert(how.flags.end(), st.settings.chromium_flags.begin(),
                   st.settings.chromium_flags.end());
  how.proxy_server = st.settings.proxy_server;
  // Profiles left by servers that were killed before they could remove
  // their own: each is a couple of MiB in /tmp.
  if (auto stale = remove_stale_profiles("/tmp"))
    log(log_level::info, "removed ", stale,
        " Chromium profiles of servers no longer running");
  auto launched = launch_chromium(how);
  if (auto* why = std::get_if<std::string>(&launched)) {
    error = "cannot start Chromium: " + *why;
    return false;
  }
  chromium.process = std::get<chromium_process>(std::move(launched));
  auto generation = ++st.generation;
  st.ready = false;
  auto handle = caf::actor{self};
  chromium.pipe = std::make_unique<cdp_pipe>(
    chromium.process->to_browser, chromium.process->from_browser,
    [handle, generation](std::string json) {
      caf::anon_send(handle, cdp_incoming{generation, std::move(json)});
    },
    [handle, generation] {
      caf::anon_send(handle, cdp_closed_atom::value, generation);
    });
  log(log_level::info, "started Chromium, pid ", chromium.process->pid);
  return true;
}

/// Sends one command; `on_reply` runs with its result, an error, or a
/// timeout, exactly once.
void call(self_ptr self, const std::string& cdp_target,
          const std::string& method, const std::string& params_json,
          browser_state::reply_handler on_reply) {
  std::string error;
  if (!ensure_chromium(self, error))
    return on_reply(failure(error));
  auto& st = self->state;
  auto id = st.next_id++;
  json_writer out;
  out.begin_object().field("id", id).field("method", method);
  if (!cdp_target.empty())
    out.field("sessionId", cdp_target);
  out.key("params").raw(params_json.empty() ? std::string_view{"{}"}
                                            : std::string_view{params_json});
  out.end_object();
  st.pending.emplace(id, std::move(on_reply));
  st.chromium->pipe->send(out.str());
  auto timeout = st.ready ? st.settings.request_timeout
                          : std::max(st.settings.request_timeout,
                                     st.settings.startup_timeout);
  self->delayed_send(self, timeout, cdp_timeout_atom::value, id);
}

/// An event goes to the page listening on its session, if any.
void route_event(self_ptr self, json_reader& message) {
  auto target = message.text("sessionId");
  auto method = message.text("method");
  if (!target || !method)
    return;
  auto i = self->state.listeners.find(std::string{*target});
  if (i == self->state.listeners.end())
    return;
  auto* params = message.any("params");
  self->send(i->second,
             cdp_event{std::string{*method}, params ? to_json(*params) : "{}"});
}

void on_incoming(self_ptr self, const cdp_incoming& msg) {
  auto& st = self->state;
  if (msg.generation != st.generation)
    return;
  json_document doc{msg.json};
  if (!doc.parsed_object())
    return;
  json_reader message{doc};
  auto id = message.count("id");
  if (!id)
    return route_event(self, message);
  st.ready = true;
  auto i = st.pending.find(*id);
  if (i == st.pending.end())
    return; // timed out already
  auto handler = std::move(i->second);
  st.pending.erase(i);
  if (message.any("error")) {
    auto why = message.object("error").text("message").value_or("CDP error");
    return handler(failure(std::string{why}));
  }
  auto* result = message.any("result");
  handler({true, result ? to_json(*result) : "{}"});
}

std::string string_field(const std::string& json, const char* name) {
  json_document doc{json};
  return std::string{json_reader{doc}.text(name).value_or("")};
}

using handle_sink = std::function<void(page_handle)>;

/// A fresh browser context, a blank page in it, and a flat CDP session to
/// it, given to `deliver`. The context's slot is already counted.
void open_context(self_ptr self, handle_sink deliver) {
  auto fail = [self, deliver](std::string why) {
    self->state.pool.opening_failed();
    deliver(page_handle{false, std::move(why), {}, {}, {}});
  };
  call(self, "", "Target.createBrowserContext", R"({"disposeOnDetach":true})",
       [self, deliver, fail](cdp_result made) {
         auto context = string_field(made.body, "browserContextId");
         if (!made.ok || context.empty())
           return fail("cannot create a browser context: " + made.body);
         json_writer target;
         target.begin_object()
           .field("url", "about:blank")
           .field("browserContextId", context)
           .end_object();
         call(self, "", "Target.createTarget", target.str(),
              [self, deliver, fail, context](cdp_result created) {
                auto target_id = string_field(created.body, "targetId");
                if (!created.ok || target_id.empty())
                  return fail("cannot create a page: " + created.body);
                json_writer attach;
                attach.begin_object()
                  .field("targetId", target_id)
                  .field("flatten", true)
                  .end_object();
                call(self, "", "Target.attachToTarget", attach.str(),
                     [self, deliver, fail, context,
                      target_id](cdp_result attached) {
                       auto session = string_field(attached.body, "sessionId");
                       if (!attached.ok || session.empty())
                         return fail("cannot attach to the page: "
                                     + attached.body);
                       self->state.pool.opened(context);
                       deliver(page_handle{true, {}, context, target_id, session});
                     });
              });
       });
}

/// Gives `handle` to the page that asked (which now holds its context).
void hand_out(self_ptr self, caf::typed_response_promise<page_handle> rp,
              const caf::actor& page, page_handle handle) {
  if (handle.ok && page)
    self->state.holders[handle.context_id] = page;
  rp.deliver(std::move(handle));
}

void tell_places(self_ptr self);
void close_context(self_ptr self, const std::string& context_id,
                   const std::string& cdp_target);

/// Shows the spares to /metrics and the admin console.
void count_spares(self_ptr self) {
  auto& st = self->state;
  st.stats->spares.store(st.spares.size(), std::memory_order_relaxed);
}

/// A spare context is made: the oldest waiting request takes it, else it
/// waits for the next new session.
void keep_spare(self_ptr self, page_handle made) {
  auto& st = self->state;
  if (!made.ok)
    return;
  if (st.waiting.empty()) {
    st.spares.push_back(std::move(made));
    return count_spares(self);
  }
  auto next = std::move(st.waiting.front());
  st.waiting.pop_front();
  hand_out(self, next.promise, next.page, std::move(made));
  tell_places(self);
}

/// Chromium's browser process makes targets on the thread that carries
/// every CDP command: a context made while a new session takes its first
/// step slowed that step by ~100 ms (Page.enable waited out createTarget).
/// So spares are made a while after the last was taken, one at a time.
constexpr auto refill_delay = std::chrono::seconds{1};

/// Makes the next spare context in refill_delay, unless one is on its way.
void refill(self_ptr self) {
  auto& st = self->state;
  if (st.refill_armed || st.spares.size() + st.spares_opening >= st.settings.pool)
    return;
  st.refill_armed = true;
  self->delayed_send(self, refill_delay, refill_pool_atom::value);
}

/// One spare context, if Chromium runs, a slot is free and no request
/// waits for one, with its page already watched (Page.enable), as its
/// session's page will ask first.
void make_spare(self_ptr self) {
  auto& st = self->state;
  st.refill_armed = false;
  if (!st.chromium->process || st.spares_opening > 0 || !st.waiting.empty()
      || st.spares.size() >= st.settings.pool || st.pool.full())
    return;
  st.pool.begin_opening();
  ++st.spares_opening;
  open_context(self, [self](page_handle made) {
    if (!made.ok) {
      --self->state.spares_opening;
      return;
    }
    auto session = made.cdp_target;
    call(self, session, "Page.enable", "{}", [self, made](cdp_result watched) mutable {
      --self->state.spares_opening;
      // Chromium died, or the page did: the context is no use to anyone.
      if (!watched.ok)
        return close_context(self, made.context_id, made.cdp_target);
      keep_spare(self, std::move(made));
      refill(self);
    });
  });
}

/// A new context for the page that asked; then the spares are topped up
/// (Chromium runs now).
void open_page_into(self_ptr self, caf::typed_response_promise<page_handle> rp,
                    caf::actor page) {
  open_context(self, [self, rp, page](page_handle handle) {
    hand_out(self, rp, page, std::move(handle));
    refill(self);
  });
}

/// Asks idle sessions' pages for as many contexts as requests wait (less
/// the spares being made, which go to them), least recently used first.
void reclaim(self_ptr self) {
  auto& st = self->state;
  auto uncovered = st.waiting.size() - std::min(st.waiting.size(), st.spares_opening);
  for (const auto& context : st.pool.reclaim_for(uncovered)) {
    auto holder = st.holders.find(context);
    if (holder != st.holders.end())
      self->send(holder->second, yield_context_atom::value, context);
  }
}

/// Tells each waiting page its place in line.
void tell_places(self_ptr self) {
  auto& st = self->state;
  std::uint64_t ahead = 0;
  for (auto& w : st.waiting)
    if (w.page)
      self->send(w.page, context_wait_atom::value, ahead++,
                 static_cast<std::uint64_t>(st.pool.running_count()));
}

caf::result<page_handle> open_page(self_ptr self) {
  auto& st = self->state;
  // Before make_response_promise, which takes the sender over.
  auto requester = caf::actor_cast<caf::actor>(self->current_sender());
  auto rp = self->make_response_promise<page_handle>();
  if (!st.spares.empty()) {
    auto spare = std::move(st.spares.front());
    st.spares.pop_front();
    count_spares(self);
    hand_out(self, rp, requester, std::move(spare));
    refill(self);
    return rp;
  }
  if (!st.pool.full()) {
    st.pool.begin_opening();
    open_page_into(self, rp, requester);
    return rp;
  }
  auto reclaimable = st.pool.reclaiming_count() > st.waiting.size()
                     || st.pool.has_idle();
  if (!st.settings.wait_when_full && !reclaimable) {
    rp.deliver(page_handle{false,
                           "all " + std::to_string(st.settings.max_contexts)
                             + " browser contexts are in use by running "
                               "sessions",
                           {}, {}, {}});
    return rp;
  }
  st.waiting.push_back({rp, requester});
  reclaim(self);
  // Only a wait with nothing to reclaim is worth telling the user about.
  if (!reclaimable)
    tell_places(self);
  return rp;
}

/// A context closed (or all did): hand free slots to waiting requests.
void serve_waiting(self_ptr self) {
  auto& st = self->state;
  auto served = false;
  while (!st.waiting.empty() && !st.pool.full()) {
    auto next = std::move(st.waiting.front());
    st.waiting.pop_front();
    st.pool.begin_opening();
    open_page_into(self, next.promise, next.page);
    served = true;
  }
  if (served && !st.waiting.empty())
    tell_places(self);
  refill(self);
}

void close_context(self_ptr self, const std::string& context_id,
                   const std::string& cdp_target) {
  auto& st = self->state;
  st.listeners.erase(cdp_target);
  st.holders.erase(context_id);
  if (!st.pool.closed(context_id))
    return; // its Chromium died; the slot was freed then
  if (st.chromium->process) {
    json_writer params;
    params.begin_object().field("browserContextId", context_id).end_object();
    call(self, "", "Target.disposeBrowserContext", params.str(),
         [](cdp_result) {});
  }
  serve_waiting(self);
  reclaim(self);
}

} // namespace

caf::behavior browser(caf::stateful_actor<browser_state>* self,
                      browser_settings settings) {
  self->state.settings = std::move(settings);
  self->state.pool.set_limit(self->state.settings.max_contexts);
  // Whatever ends the actor, Chromium goes with it. The hook may run after
  // the state is gone, so it is given what it needs up front.
  self->attach_functor([chromium = self->state.chromium] { chromium->stop(); });
  self->state.stats = join_registry(self, "browser", "chromium");
  self->state.stats->set_state("ready");
  return counting_behavior(
    self->state.stats.get(),
    [self](cdp_call& request) -> caf::result<cdp_result> {
      auto rp = self->make_response_promise<cdp_result>();
      call(self, request.cdp_target, request.method, request.params_json,
           [rp](cdp_result result) mutable { rp.deliver(std::move(result)); });
      return rp;
    },
    [self](open_page_atom) { return open_page(self); },
    [self](refill_pool_atom) { make_spare(self); },
    [self](close_page_atom, const std::string& context_id,
           const std::string& cdp_target) {
      close_context(self, context_id, cdp_target);
    },
    [self](context_active_atom, const std::string& context_id, bool active) {
      self->state.pool.set_active(context_id, active);
      // Idle now: it may be what a waiting run needs; running again: whoever
      // it was reclaimed for needs another.
      reclaim(self);
    },
    [self](cdp_incoming& msg) { on_incoming(self, msg); },
    // An invalid page: no longer listened to (a tab that is not active).
    [self](listen_atom, std::string cdp_target, caf::actor page) {
      if (page)
        self->state.listeners[cdp_target] = page;
      else
        self->state.listeners.erase(cdp_target);
    },
    [self](cdp_timeout_atom, std::uint64_t id) {
      auto& st = self->state;
      auto i = st.pending.find(id);
      if (i == st.pending.end())
        return;
      auto handler = std::move(i->second);
      st.pending.erase(i);
      handler(failure("Chromium did not answer in time"));
    },
    [self](cdp_closed_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation != st.generation)
        return;
      log(log_level::warn, "Chromium exited; it is started again on next use");
      st.chromium->stop();
      fail_pending(self, "Chromium exited");
      for (auto& [session, page] : st.listeners)
        self->send(page, browser_lost_atom::value);
      st.listeners.clear();
      st.pool.clear();
      st.holders.clear();
      // The spares went with it; the next use launches Chromium again.
      st.spares.clear();
      count_spares(self);
      serve_waiting(self);
    },
    [self](browser_pid_atom) -> std::int64_t {
      auto& process = self->state.chromium->process;
      return process ? process->pid : -1;
    });
}

} // namespace agenttheo
