#include "actors/page.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include <rapidjson/document.h>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"
#include "browser/page_scripts.hpp"
#include "messages/messages.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<page_state>*;
using done_fn = std::function<void(tool_result)>;

using load_timeout_atom = caf::atom_constant<caf::atom("load_tmo")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;

/// How long an action (click, key) may take to start a navigation.
constexpr auto settle_time = std::chrono::milliseconds{150};

constexpr std::size_t max_elements = 200;
constexpr std::size_t max_links = 100;
constexpr std::int64_t default_wait_ms = 5'000;
constexpr std::int64_t max_wait_ms = 30'000;

tool_result fail(std::string why) {
  return {false, std::move(why), {}, {}};
}

std::string quoted(const std::string& text) {
  json_writer out;
  out.value(text);
  return out.str();
}

/// The arguments object; an empty document when absent or not an object.
rapidjson::Document arguments(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.empty() ? "{}" : json.c_str());
  if (doc.HasParseError() || !doc.IsObject())
    doc.SetObject();
  return doc;
}

std::string string_arg(const rapidjson::Document& args, const char* name) {
  return args.HasMember(name) && args[name].IsString() ? args[name].GetString()
                                                       : std::string{};
}

std::int64_t int_arg(const rapidjson::Document& args, const char* name,
                     std::int64_t fallback) {
  return args.HasMember(name) && args[name].IsInt64() ? args[name].GetInt64()
                                                      : fallback;
}

bool bool_arg(const rapidjson::Document& args, const char* name) {
  return args.HasMember(name) && args[name].IsBool() && args[name].GetBool();
}

/// Tells the session what the running tool is doing (a `custom` event).
void note(self_ptr self, std::string message) {
  auto& st = self->state;
  if (st.owner)
    self->send(st.owner, tool_note{st.current_tool, std::move(message)});
}

void cdp(self_ptr self, const std::string& method, const std::string& params,
         std::function<void(cdp_result)> on_reply) {
  auto& st = self->state;
  self
    ->request(st.browser, st.settings.cdp_timeout + std::chrono::seconds{5},
              cdp_call{st.handle->cdp_target, method, params})
    .then([on_reply](cdp_result& r) { on_reply(std::move(r)); },
          [on_reply](caf::error&) {
            on_reply({false, "the browser did not answer"});
          });
}

/// Evaluates `expression` (awaiting a promise); `on_value` gets the value
/// as JSON text, or the failure.
void eval(self_ptr self, const std::string& expression,
          std::function<void(bool ok, std::string value_json)> on_value) {
  json_writer params;
  params.begin_object()
    .field("expression", expression)
    .field("returnByValue", true)
    .field("awaitPromise", true)
    .end_object();
  cdp(self, "Runtime.evaluate", params.str(), [on_value](cdp_result r) {
    if (!r.ok)
      return on_value(false, r.body);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    if (doc.HasParseError() || !doc.IsObject())
      return on_value(false, "unreadable evaluation result");
    if (doc.HasMember("exceptionDetails")) {
      auto& ex = doc["exceptionDetails"];
      std::string text = ex.HasMember("exception")
                             && ex["exception"].HasMember("description")
                           ? ex["exception"]["description"].GetString()
                           : "the page's script failed";
      return on_value(false, text);
    }
    if (!doc.HasMember("result") || !doc["result"].HasMember("value"))
      return on_value(true, "null"); // undefined: nothing to return
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer{buf};
    doc["result"]["value"].Accept(writer);
    on_value(true, {buf.GetString(), buf.GetSize()});
  });
}

/// A script whose value is a string: the tool's output.
void eval_text(self_ptr self, const std::string& expression, done_fn done) {
  eval(self, expression, [done](bool ok, std::string value) {
    if (!ok)
      return done(fail(value));
    rapidjson::Document doc;
    doc.Parse(value.c_str());
    // With its length: a value may carry NUL (used as a separator).
    done({true,
          doc.IsString() ? std::string{doc.GetString(), doc.GetStringLength()}
                         : value,
          {}, {}});
  });
}

/// A script whose value is `{ok, output}`.
void eval_outcome(self_ptr self, const std::string& expression, done_fn done) {
  eval(self, expression, [done](bool ok, std::string value) {
    if (!ok)
      return done(fail(value));
    rapidjson::Document doc;
    doc.Parse(value.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("ok"))
      return done(fail("unexpected script result"));
    done({doc["ok"].GetBool(), doc["output"].GetString(), {}, {}});
  });
}

/// Calls `then` once the page is not loading (or the load timeout passed).
void when_idle(self_ptr self, std::function<void(bool loaded)> then) {
  auto& st = self->state;
  if (!st.loading)
    return then(true);
  note(self, "waiting for the page to finish loading");
  st.on_load = std::move(then);
  self->delayed_send(self, st.settings.load_timeout, load_timeout_atom::value,
                     ++st.load_generation);
}

/// After an action that may navigate (a click, a key): give it a moment to
/// start loading, and if it did, wait for the new page, so the next tool
/// never runs against a document being torn down.
done_fn settled(self_ptr self, done_fn done) {
  return [self, done](tool_result result) {
    auto& st = self->state;
    st.after_settle = [self, done, result]() mutable {
      when_idle(self, [done, result](bool loaded) mutable {
        if (!loaded)
          result.output += " (the page it led to is still loading)";
        done(std::move(result));
      });
    };
    self->delayed_send(self, settle_time, settle_atom::value,
                       ++st.settle_generation);
  };
}

/// Runs `start` (which begins a navigation), then waits for the page's load
/// event, or the load timeout; then reports the page's title.
void navigate_and_wait(self_ptr self, const std::string& what,
                       std::function<void(std::function<void(cdp_result)>)> start,
                       done_fn done) {
  auto& st = self->state;
  auto generation = ++st.load_generation;
  st.on_load = [self, what, done](bool loaded) {
    eval_text(self, "document.title + '\\u0000' + location.href",
              [what, done, loaded](tool_result r) {
                auto cut = r.output.find('\0');
                auto title = r.output.substr(0, cut);
                auto url = cut == std::string::npos ? "" : r.output.substr(cut + 1);
                done({true,
                      what + " " + url + "; title: \"" + title + "\""
                        + (loaded ? "" : " (the page is still loading)"),
                      {}, url});
              });
  };
  self->delayed_send(self, st.settings.load_timeout, load_timeout_atom::value,
                     generation);
  start([self, done](cdp_result r) {
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    auto error = r.ok && doc.IsObject() && doc.HasMember("errorText")
                     && doc["errorText"].IsString()
                   ? std::string{doc["errorText"].GetString()}
                   : std::string{};
    if (r.ok && error.empty())
      return;
    self->state.on_load = nullptr;
    done(fail("navigation failed: " + (error.empty() ? r.body : error)));
  });
}

struct key_info {
  const char* key;
  const char* code;
  int keycode;
  const char* text;
};

const key_info known_keys[] = {
  {"Enter", "Enter", 13, "\r"},      {"Tab", "Tab", 9, ""},
  {"Escape", "Escape", 27, ""},      {"Backspace", "Backspace", 8, ""},
  {"Delete", "Delete", 46, ""},      {"ArrowUp", "ArrowUp", 38, ""},
  {"ArrowDown", "ArrowDown", 40, ""}, {"ArrowLeft", "ArrowLeft", 37, ""},
  {"ArrowRight", "ArrowRight", 39, ""}, {"PageUp", "PageUp", 33, ""},
  {"PageDown", "PageDown", 34, ""},  {"Home", "Home", 36, ""},
  {"End", "End", 35, ""},            {"Space", "Space", 32, " "},
};

void press(self_ptr self, const std::string& key, done_fn done) {
  const key_info* info = nullptr;
  for (const auto& k : known_keys)
    if (key == k.key)
      info = &k;
  if (!info && key.size() != 1)
    return done(fail("unknown key " + key));
  std::string text = info ? info->text : key;
  auto event = [&](const char* type) {
    json_writer e;
    e.begin_object()
      .field("type", type)
      .field("key", info ? info->key : key)
      .field("code", info ? info->code : "")
      .field("windowsVirtualKeyCode",
             info ? info->keycode : static_cast<int>(std::toupper(key[0])));
    if (!text.empty() && std::string{type} == "keyDown")
      e.field("text", text);
    e.end_object();
    return e.str();
  };
  auto up = event("keyUp");
  cdp(self, "Input.dispatchKeyEvent", event("keyDown"),
      [self, up, key, done](cdp_result r) {
        if (!r.ok)
          return done(fail(r.body));
        cdp(self, "Input.dispatchKeyEvent", up, [key, done](cdp_result r2) {
          done(r2.ok ? tool_result{true, "pressed " + key, {}, {}}
                     : fail(r2.body));
        });
      });
}

/// A JPEG of the page, with its URL; `output` says what failed, if anything.
void capture(self_ptr self, bool full_page, done_fn done) {
  json_writer params;
  params.begin_object()
    .field("format", "jpeg")
    .field("quality", 70)
    .field("captureBeyondViewport", full_page)
    .end_object();
  cdp(self, "Page.captureScreenshot", params.str(), [self, done](cdp_result r) {
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    if (!r.ok || !doc.IsObject() || !doc.HasMember("data"))
      return done(fail("screenshot failed: " + r.body));
    std::string data = doc["data"].GetString();
    eval_text(self, "location.href", [data, done](tool_result where) {
      done({true, {}, data, where.output});
    });
  });
}

/// Tools after which the page may look different: followed by a screenshot
/// when `screenshot_after_actions` is on.
bool changes_page(const std::string& tool) {
  static const char* actions[] = {"navigate_to", "reload",   "go_back",
                                  "click",       "type_text", "press_key",
                                  "scroll"};
  return std::any_of(std::begin(actions), std::end(actions),
                     [&](const char* a) { return tool == a; });
}

/// `done`, after adding a screenshot of the page the action left behind.
done_fn with_screenshot(self_ptr self, const std::string& tool, done_fn done) {
  if (!self->state.settings.screenshot_after_actions || !changes_page(tool))
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

void run_tool(self_ptr self, const tool_request& req, done_fn done) {
  auto& st = self->state;
  auto args = arguments(req.arguments_json);
  const auto& name = req.name;
  if (name == "navigate_to") {
    auto url = string_arg(args, "url");
    if (auto refused = check_navigation(st.settings.policy, url))
      return done(fail("refused: " + *refused));
    json_writer params;
    params.begin_object().field("url", url).end_object();
    return navigate_and_wait(
      self, "opened",
      [self, params = params.str()](auto on_reply) {
        cdp(self, "Page.navigate", params, on_reply);
      },
      done);
  }
  if (name == "reload")
    return navigate_and_wait(
      self, "reloaded",
      [self](auto on_reply) { cdp(self, "Page.reload", "{}", on_reply); },
      done);
  if (name == "go_back")
    return cdp(self, "Page.getNavigationHistory", "{}", [self, done](cdp_result r) {
      rapidjson::Document doc;
      doc.Parse(r.body.c_str());
      if (!r.ok || !doc.IsObject() || !doc.HasMember("currentIndex"))
        return done(fail("cannot read the history: " + r.body));
      auto index = doc["currentIndex"].GetInt();
      if (index <= 0)
        return done(fail("there is no previous page"));
      json_writer params;
      params.begin_object()
        .field("entryId", doc["entries"][index - 1]["id"].GetInt())
        .end_object();
      navigate_and_wait(
        self, "went back to",
        [self, params = params.str()](auto on_reply) {
          cdp(self, "Page.navigateToHistoryEntry", params, on_reply);
        },
        done);
    });
  if (name == "click")
    return eval_outcome(self,
                        page_scripts::call(page_scripts::click,
                                           quoted(string_arg(args, "target"))),
                        settled(self, done));
  if (name == "type_text") {
    auto text = string_arg(args, "text");
    auto submit = bool_arg(args, "submit");
    return eval_outcome(
      self, page_scripts::call(page_scripts::focus, quoted(string_arg(args, "target"))),
      [self, text, submit, done](tool_result focused) {
        if (!focused.ok)
          return done(focused);
        json_writer params;
        params.begin_object().field("text", text).end_object();
        cdp(self, "Input.insertText", params.str(),
            [self, text, submit, target = focused.output, done](cdp_result r) {
              if (!r.ok)
                return done(fail(r.body));
              tool_result typed{true, "typed \"" + text + "\" into " + target,
                                {}, {}};
              if (!submit)
                return done(typed);
              press(self, "Enter", [self, typed, done](tool_result pressed) {
                auto result = pressed.ok
                                ? tool_result{true, typed.output + " and submitted",
                                              {}, {}}
                                : pressed;
                settled(self, done)(std::move(result));
              });
            });
      });
  }
  if (name == "press_key")
    return press(self, string_arg(args, "key"), settled(self, done));
  if (name == "scroll") {
    json_writer arg;
    arg.begin_object()
      .field("direction", string_arg(args, "direction") == "up" ? "up" : "down")
      .field("amount", int_arg(args, "amount", 0))
      .end_object();
    return eval_text(self, page_scripts::call(page_scripts::scroll, arg.str()), done);
  }
  if (name == "wait_for") {
    auto wait = std::clamp<std::int64_t>(int_arg(args, "timeout_ms", default_wait_ms),
                                         0, max_wait_ms);
    json_writer arg;
    arg.begin_object()
      .field("text", string_arg(args, "text"))
      .field("selector", string_arg(args, "selector"))
      .field("timeout_ms", wait)
      .end_object();
    return eval_outcome(self, page_scripts::call(page_scripts::wait_for, arg.str()),
                        done);
  }
  if (name == "get_interactive_elements")
    return eval_text(self,
                     page_scripts::call(page_scripts::interactive_elements,
                                        std::to_string(max_elements)),
                     done);
  if (name == "get_page_text") {
    auto max = std::clamp<std::int64_t>(
      int_arg(args, "max_chars", 4000), 1,
      static_cast<std::int64_t>(st.settings.max_output));
    return eval_text(self,
                     page_scripts::call(page_scripts::page_text, std::to_string(max)),
                     done);
  }
  if (name == "get_title")
    return eval_text(self, "document.title", done);
  if (name == "get_links")
    return eval_text(self,
                     page_scripts::call(page_scripts::links, std::to_string(max_links)),
                     done);
  if (name == "take_screenshot")
    return capture(self, bool_arg(args, "full_page"), [done](tool_result shot) {
      if (shot.ok)
        shot.output = "took a screenshot of " + shot.url + " ("
                      + std::to_string(shot.image_base64.size() * 3 / 4 / 1024)
                      + " KiB JPEG)";
      done(std::move(shot));
    });
  done(fail("unknown tool " + name));
}

/// Opens the session's context and page on first use.
/// Starts or stops `Page.startScreencast` to match what the owner wants,
/// once the page has a context.
void sync_screencast(self_ptr self) {
  auto& st = self->state;
  if (!st.handle->ok || st.screencast_wanted == st.screencasting)
    return;
  st.screencasting = st.screencast_wanted;
  if (st.screencasting)
    cdp(self, "Page.startScreencast",
        R"({"format":"jpeg","quality":60,"maxWidth":960,"maxHeight":720})",
        [](cdp_result) {});
  else
    cdp(self, "Page.stopScreencast", "{}", [](cdp_result) {});
}

/// Acknowledges every frame (Chromium sends the next only then) and
/// forwards those within the frame-rate cap to the owner.
void on_screencast_frame(self_ptr self, const std::string& params_json) {
  auto& st = self->state;
  rapidjson::Document doc;
  doc.Parse(params_json.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("sessionId")
      || !doc["sessionId"].IsInt64()
      || !doc.HasMember("data") || !doc["data"].IsString())
    return;
  cdp(self, "Page.screencastFrameAck",
      "{\"sessionId\":" + std::to_string(doc["sessionId"].GetInt64()) + "}",
      [](cdp_result) {});
  auto now = std::chrono::steady_clock::now();
  auto gap = std::chrono::milliseconds{1000 / std::max(1u, st.settings.screencast_fps)};
  if (!st.owner || !st.screencasting || now - st.last_frame_sent < gap)
    return;
  st.last_frame_sent = now;
  screencast_frame frame;
  frame.jpeg_base64 = doc["data"].GetString();
  if (doc.HasMember("metadata") && doc["metadata"].IsObject()) {
    auto& meta = doc["metadata"];
    if (meta.HasMember("deviceWidth") && meta["deviceWidth"].IsNumber())
      frame.width = static_cast<std::uint32_t>(meta["deviceWidth"].GetDouble());
    if (meta.HasMember("deviceHeight") && meta["deviceHeight"].IsNumber())
      frame.height = static_cast<std::uint32_t>(meta["deviceHeight"].GetDouble());
    if (meta.HasMember("timestamp") && meta["timestamp"].IsNumber())
      frame.timestamp = meta["timestamp"].GetDouble();
  }
  self->send(st.owner, std::move(frame));
}

void with_page(self_ptr self, std::function<void(std::string error)> ready) {
  auto& st = self->state;
  if (st.handle->ok)
    return ready({});
  self->request(st.browser, std::chrono::minutes{10}, open_page_atom::value)
    .then(
      [self, ready](page_handle& opened) {
        if (!opened.ok)
          return ready(opened.error);
        *self->state.handle = opened;
        self->state.stats->set_state("open");
        self->send(self->state.browser, listen_atom::value, opened.cdp_target,
                   caf::actor{self});
        cdp(self, "Page.enable", "{}", [self, ready](cdp_result r) {
          if (r.ok)
            sync_screencast(self);
          ready(r.ok ? std::string{} : "cannot watch the page: " + r.body);
        });
      },
      [ready](caf::error&) { ready("the browser did not answer"); });
}

std::string bounded(std::string text, std::size_t max) {
  if (text.size() <= max)
    return text;
  text.resize(max);
  // Never cut inside a UTF-8 sequence: JSON encoding must stay valid.
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
    text.pop_back();
  if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80))
    text.pop_back();
  return text + " [...]";
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.busy || st.queue.empty())
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
    result.output = bounded(std::move(result.output), st.settings.max_output);
    promise.deliver(std::move(result));
    st.busy = false;
    pump(self);
  };
  with_page(self, [self, request = std::move(next.request),
                   requester = std::move(next.requester),
                   finish](std::string error) mutable {
    if (!error.empty())
      return finish(fail(error));
    if (requester)
      self->send(requester, tool_begun_atom::value);
    // A navigation still under way (started by a page's own script, say)
    // finishes before the next tool looks at the page.
    when_idle(self, [self, request, finish](bool) mutable {
      run_tool(self, request, with_screenshot(self, request.name, finish));
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
  st.stats = join_registry(self, "page", "browser context", st.settings.session_id);
  st.stats->set_state("closed");
  // The session's context goes with the page actor, however it ends.
  self->attach_functor([browser, handle = st.handle] {
    if (handle->ok)
      caf::anon_send(browser, close_page_atom::value, handle->context_id,
                     handle->cdp_target);
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
      if (ev.method == "Page.frameStartedLoading") {
        // The main frame's id is its target's id.
        rapidjson::Document doc;
        doc.Parse(ev.params_json.c_str());
        if (doc.IsObject() && doc.HasMember("frameId") && doc["frameId"].IsString()
            && st.handle->target_id == doc["frameId"].GetString())
          st.loading = true;
      } else if (ev.method == "Page.loadEventFired") {
        st.loading = false;
        if (st.on_load) {
          auto on_load = std::move(st.on_load);
          st.on_load = nullptr;
          on_load(true);
        }
      } else if (ev.method == "Page.screencastFrame") {
        on_screencast_frame(self, ev.params_json);
      } else if (ev.method == "Page.javascriptDialogOpening") {
        // An open alert blocks every script in the page: dismiss it.
        rapidjson::Document doc;
        doc.Parse(ev.params_json.c_str());
        if (doc.IsObject() && doc.HasMember("message") && doc["message"].IsString()) {
          st.dialogs.push_back(doc["message"].GetString());
          note(self, "dismissed a dialog: \"" + st.dialogs.back() + "\"");
        }
        cdp(self, "Page.handleJavaScriptDialog", R"({"accept":true})",
            [](cdp_result) {});
      }
    },
    [self](load_timeout_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation != st.load_generation || !st.on_load)
        return;
      auto on_load = std::move(st.on_load);
      st.on_load = nullptr;
      on_load(false);
    },
    [self](settle_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation != st.settle_generation || !st.after_settle)
        return;
      auto next = std::move(st.after_settle);
      st.after_settle = nullptr;
      next();
    },
    [self](cancel_tools_atom) {
      // The run was cancelled: what waits is dropped. The tool in flight
      // ends on its own (its CDP command is bounded by the CDP timeout);
      // its answer goes nowhere.
      auto& st = self->state;
      for (auto& waiting : st.queue)
        waiting.promise.deliver(fail("cancelled"));
      st.queue.clear();
    },
    [self](screencast_atom, bool on) {
      self->state.screencast_wanted = on;
      sync_screencast(self);
    },
    [self](context_wait_atom) {
      if (self->state.owner)
        self->send(self->state.owner, context_wait_atom::value);
    },
    [self](browser_lost_atom) {
      // Chromium died; the next tool opens a fresh context.
      *self->state.handle = page_handle{};
      self->state.stats->set_state("closed");
      self->state.loading = false;
      self->state.screencasting = false; // restarts with the next context
      if (self->state.owner)
        self->send(self->state.owner, browser_lost_atom::value);
    });
}

} // namespace agenttheo
