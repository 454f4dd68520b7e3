#include "actors/page.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/page_actions.hpp"
#include "actors/page_files.hpp"
#include "actors/page_parking.hpp"
#include "actors/page_tabs.hpp"
#include "actors/page_tools.hpp"
#include "actors/registry.hpp"
#include "browser/page_scripts.hpp"
#include "messages/messages.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// `done`, after adding a screenshot of the page the action left behind.
tool_done
with_screenshot(page_self self, const page_tool& tool, tool_done done) {
  if (!self->state.settings.screenshot_after_actions || !tool.changes_page)
    return done;
  return [self, done](tool_result result) {
    if (!result.ok)
      return done(std::move(result));
    capture(self, false, [done, result](tool_result shot) mutable {
      if (shot.ok) {
        result.image_base64 = std::move(shot.image_base64);
        result.url = std::move(shot.url);
      }
      done(std::move(result));
    });
  };
}

/// `done`, after noting the page's digest: loop detection's view of the
/// page the tool left (an evaluate of ~1 ms; none if the page cannot say).
tool_done with_page_digest(page_self self, tool_done done) {
  return [self, done](tool_result result) {
    // The browser may have gone while the tool ran: no page to ask.
    if (self->state.handle->cdp_target.empty())
      return done(std::move(result));
    eval_text(self, page_scripts::call(page_scripts::page_digest, "null"),
              [done, result](tool_result digest) mutable {
                if (digest.ok)
                  result.page_digest = std::move(digest.output);
                done(std::move(result));
              });
  };
}

/// The session's own looks at the page (tool_request::internal).
void run_probe(page_self self, const tool_request& req, tool_done done) {
  if (req.name == "inspect_target") {
    json_document doc{req.arguments_json};
    json_reader args{doc};
    if (args.boolean("active").value_or(false))
      return eval_text(self,
                       "JSON.stringify("
                         + page_scripts::call(page_scripts::inspect_target,
                                              req.arguments_json)
                         + ")",
                       done);
    return on_element(
      self, args, page_scripts::inspect_target,
      [](const std::string& target) { return "{target: " + target + "}"; },
      [done](bool ok, std::string facts) {
        done(ok ? succeeded(std::move(facts)) : fail(std::move(facts)));
      });
  }
  if (req.name == "where")
    return eval_text(self,
                     "JSON.stringify({url: location.href, title: document.title})",
                     done);
  done(fail("unknown probe " + req.name));
}

void run_tool(page_self self, const tool_request& req, tool_done done) {
  if (req.internal)
    return run_probe(self, req, std::move(done));
  const auto* tool = find_page_tool(req.name);
  if (!tool)
    return done(fail("unknown tool " + req.name));
  // Arguments that are not an object read as none.
  json_document doc{req.arguments_json};
  json_reader args{doc};
  tool->run(self, args,
            with_screenshot(self, *tool, with_page_digest(self, std::move(done))));
}

/// Acknowledges every frame (Chromium sends the next only then) and
/// forwards those within the frame-rate cap to the owner.
void on_screencast_frame(page_self self, const std::string& params_json) {
  auto& st = self->state;
  json_document doc{params_json};
  json_reader params{doc};
  auto ack = params.integer("sessionId");
  auto data = params.text("data");
  if (!ack || !data)
    return;
  cdp(self, "Page.screencastFrameAck",
      "{\"sessionId\":" + std::to_string(*ack) + "}", [](cdp_result) {});
  auto now = std::chrono::steady_clock::now();
  auto gap = std::chrono::milliseconds{1000 / std::max(1u, st.screencast_fps)};
  if (!st.owner || !st.screencasting || now - st.last_frame_sent < gap)
    return;
  st.last_frame_sent = now;
  screencast_frame frame;
  frame.jpeg_base64 = std::string{*data};
  auto meta = params.object("metadata");
  frame.width
    = static_cast<std::uint32_t>(meta.number("deviceWidth").value_or(0));
  frame.height
    = static_cast<std::uint32_t>(meta.number("deviceHeight").value_or(0));
  frame.timestamp = meta.number("timestamp").value_or(0);
  self->send(st.owner, std::move(frame));
}

/// The main frame stopped loading: whoever waits for its load goes on.
void loading_ended(page_self self) {
  auto& st = self->state;
  st.loading = false;
  st.load_wait.end();
}

/// Opens the session's context and page on first use.
void with_page(page_self self, std::function<void(std::string error)> ready) {
  auto& st = self->state;
  if (st.handle->ok)
    return ready({});
  self->request(st.browser, std::chrono::minutes{10}, open_page_atom::value)
    .then(
      [self, ready](page_handle& opened) {
        if (!opened.ok)
          return ready(opened.error);
        *self->state.handle = opened;
        self->state.refs.forget_all();
        reset_tabs(self);
        self->state.stats->set_state("open");
        self->send(self->state.browser, listen_atom::value, opened.cdp_target,
                   caf::actor{self});
        // Its session may have finished its run while this waited.
        if (!self->state.active)
          self->send(self->state.browser, context_active_atom::value,
                     opened.context_id, false);
        cdp(self, "Page.enable", "{}", [self, ready](cdp_result r) {
          if (!r.ok)
            return ready("cannot watch the page: " + r.body);
          sync_screencast(self);
          enable_downloads(self);
          unpark(self, [ready] { ready({}); });
        });
      },
      [ready](caf::error&) { ready("the browser did not answer"); });
}

std::string bounded(std::string text, std::size_t max) {
  if (text.size() <= max)
    return text;
  // Never cut inside a UTF-8 sequence: JSON encoding must stay valid.
  text.resize(utf8_prefix(text, max).size());
  return text + " [...]";
}

void pump(page_self self) {
  auto& st = self->state;
  if (st.busy)
    return;
  if (st.yield_wanted) {
    st.yield_wanted = false;
    st.busy = true;
    return park(self, [self] {
      self->state.busy = false;
      pump(self);
    });
  }
  if (st.queue.empty())
    return;
  st.busy = true;
  st.dialogs.clear();
  auto next = std::move(st.queue.front());
  st.queue.pop_front();
  st.current_tool = next.request.name;
  auto finish = [self, promise = next.promise](tool_result result) mutable {
    auto& st = self->state;
    for (auto& dialog : st.dialogs)
      result.output += " (dismissed a dialog: \"" + dialog + "\")";
    result.output += take_file_notes(self);
    result.output = bounded(std::move(result.output), st.settings.max_output);
    result.tab = st.active_tab;
    promise.deliver(std::move(result));
    st.busy = false;
    pump(self);
  };
  with_page(self, [self, request = std::move(next.request),
                   requester = std::move(next.requester),
                   finish](std::string error) mutable {
    if (!error.empty())
      return finish(fail(error));
    // A tool's timeout starts now; the session's own looks have none.
    if (requester && !request.internal)
      self->send(requester, tool_begun_atom::value);
    // A navigation still under way (started by a page's own script, say)
    // finishes before the next tool looks at the page.
    // A tab the page opened since (a popup, a target=_blank link) is
    // looked at first: the tool acts where the person would be looking.
    when_idle(self, [self, request, finish](bool) mutable {
      sync_tabs(self, [self, request, finish]() mutable {
        run_tool(self, request, finish);
      });
    });
  });
}

} // namespace

caf::behavior page(caf::stateful_actor<page_state>* self, caf::actor browser,
                   page_settings settings, caf::actor owner) {
  auto& st = self->state;
  st.browser = browser;
  st.owner = owner;
  if (owner) {
    self->monitor(owner);
    self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  }
  st.settings = std::move(settings);
  if (st.settings.restored) {
    st.parked = std::move(st.settings.restored);
    st.settings.restored.reset();
    st.restarted = true;
  }
  st.stats = join_registry(self, "page", "browser context", st.settings.session_id);
  st.artifacts = artifact_folder::of(st.settings.artifacts_dir, st.settings.session_id);
  st.stats->set_state("closed");
  // The session's context goes with the page actor, however it ends, and
  // so does what its downloads left half-written (one cancelled, one a
  // background tab started, which this actor never heard of).
  auto downloads = st.artifacts ? st.artifacts->download_path() : std::filesystem::path{};
  self->attach_functor([browser, handle = st.handle, downloads] {
    if (handle->ok)
      caf::anon_send(browser, close_page_atom::value, handle->context_id,
                     handle->cdp_target);
    std::error_code ignored;
    if (!downloads.empty())
      std::filesystem::remove_all(downloads, ignored);
  });
  return counting_behavior(
    st.stats.get(),
    [self](tool_request& req) -> caf::result<tool_result> {
      // Read before make_response_promise, which takes over the sender.
      auto requester = caf::actor_cast<caf::actor>(self->current_sender());
      auto promise = self->make_response_promise<tool_result>();
      self->state.queue.push_back({std::move(req), std::move(requester), promise});
      pump(self);
      return promise;
    },
    [self](cdp_event& ev) {
      auto& st = self->state;
      if (ev.method == "Page.frameNavigated") {
        // Another document in the main frame: the snapshot's refs are gone.
        json_document doc{ev.params_json};
        if (json_reader{doc}.object("frame").text("id")
            == st.handle->target_id) {
          st.refs.forget_all();
          st.download_may_follow = false; // it brought a document
        }
      } else if (ev.method == "Page.frameStartedLoading") {
        // The main frame's id is its target's id.
        json_document doc{ev.params_json};
        if (json_reader{doc}.text("frameId") == st.handle->target_id) {
          st.loading = true;
          st.download_may_follow = true; // until it brings a document
        }
      } else if (ev.method == "Page.loadEventFired") {
        loading_ended(self);
      } else if (ev.method == "Page.frameStoppedLoading") {
        // A navigation that became a download, or was answered 204, brings
        // no new document and fires no load: its end is this.
        json_document doc{ev.params_json};
        if (st.loading && json_reader{doc}.text("frameId") == st.handle->target_id)
          loading_ended(self);
      } else if (on_download_event(self, ev.method, ev.params_json)) {
        // A download began or moved on (page_files.hpp).
      } else if (ev.method == "Page.screencastFrame") {
        on_screencast_frame(self, ev.params_json);
      } else if (ev.method == "Page.javascriptDialogOpening") {
        // An open alert blocks every script in the page: dismiss it.
        json_document doc{ev.params_json};
        if (auto message = json_reader{doc}.text("message")) {
          st.dialogs.emplace_back(*message);
          note(self, "dismissed a dialog: \"" + st.dialogs.back() + "\"");
        }
        cdp(self, "Page.handleJavaScriptDialog", R"({"accept":true})",
            [](cdp_result) {});
      }
    },
    [self](load_timeout_atom, std::uint64_t generation) {
      self->state.load_wait.expire(generation);
    },
    [self](downloads_timeout_atom, std::uint64_t generation) {
      self->state.downloads_wait.expire(generation);
    },
    [self](settle_atom, std::uint64_t generation) {
      self->state.settle_wait.expire(generation);
    },
    [self](drop_tools_atom) {
      // The run was cancelled: what waits is dropped. The tool in flight
      // ends on its own (its CDP command is bounded by the CDP timeout);
      // its answer goes nowhere.
      auto& st = self->state;
      for (auto& waiting : st.queue)
        waiting.promise.deliver(fail("cancelled"));
      st.queue.clear();
    },
    // Where the page is, for the store: read only between tools (a tool's
    // CDP calls are not interleaved with the reads), or as it was parked.
    [self](save_page_atom) -> caf::result<std::string> {
      auto& st = self->state;
      if (st.parked)
        return storage_state_to_json(*st.parked);
      if (st.busy || !st.handle->ok)
        return std::string{};
      auto promise = self->make_response_promise<std::string>();
      capture(self, [promise](storage_state state) mutable {
        promise.deliver(storage_state_to_json(state));
      });
      return promise;
    },
    // A person's input while they hold the browser: at once, not behind
    // tools (the run is held while they do), and only to an open page.
    [self](page_input_atom, const std::string& method, const std::string& params) {
      if (self->state.handle->ok)
        cdp(self, method, params, [](cdp_result) {});
    },
    [self](page_secrets& changed) { self->state.settings.secrets = std::move(changed.vault); },
    [self](screencast_atom, std::uint32_t fps) {
      self->state.screencast_wanted = fps > 0;
      self->state.screencast_fps = std::max(1u, fps);
      sync_screencast(self);
    },
    [self](context_wait_atom, std::uint64_t ahead, std::uint64_t running) {
      if (self->state.owner)
        self->send(self->state.owner, context_wait_atom::value, ahead, running);
    },
    [self](context_active_atom, bool active) {
      auto& st = self->state;
      st.active = active;
      if (st.handle->ok)
        self->send(st.browser, context_active_atom::value,
                   st.handle->context_id, active);
    },
    [self](yield_context_atom, const std::string& context_id) {
      auto& st = self->state;
      // Running again since the browser asked: it has been told so, and
      // asks someone else.
      if (st.active || context_id != st.handle->context_id)
        return;
      st.yield_wanted = true;
      pump(self);
    },
    [self](browser_lost_atom) {
      // Chromium died; the next tool opens a fresh context.
      *self->state.handle = page_handle{};
      self->state.refs.forget_all();
      self->state.tabs.clear();
      self->state.stats->set_state("closed");
      self->state.loading = false;
      self->state.screencasting = false; // restarts with the next context
      if (self->state.owner)
        self->send(self->state.owner, browser_lost_atom::value);
    });
}

} // namespace agenttheo
