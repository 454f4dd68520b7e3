#include "actors/page_actions.hpp"

#include <algorithm>
#include <optional>

#include <caf/all.hpp>

#include <rapidjson/document.h>

#include "actors/page_files.hpp"
#include "browser/element_refs.hpp"
#include "browser/net_errors.hpp"
#include "browser/page_scripts.hpp"
#include "browser/proxy_target.hpp"
#include "messages/messages.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// How long an action (click, key) may take to start a navigation.
constexpr auto settle_time = std::chrono::milliseconds{150};

/// The reply of Runtime.evaluate or Runtime.callFunctionOn: the value as
/// JSON text (`by_value`), else its remote object's id, or the failure.
void read_evaluation(const cdp_result& r, const value_done& on_value,
                     bool by_value = true) {
  if (!r.ok)
    return on_value(false, r.body);
  json_document doc{r.body};
  if (!doc.parsed_object())
    return on_value(false, "unreadable evaluation result");
  json_reader reply{doc};
  if (reply.any("exceptionDetails")) {
    auto why = reply.object("exceptionDetails")
                 .object("exception")
                 .text("description");
    return on_value(false, std::string{why.value_or("the page's script failed")});
  }
  auto result = reply.object("result");
  if (!by_value) {
    auto id = result.text("objectId");
    return on_value(id.has_value(), id ? std::string{*id}
                                       : "the script's value is not an object");
  }
  auto* value = result.any("value");
  // undefined: nothing to return
  on_value(true, value ? to_json(*value) : "null");
}

/// Evaluates `expression` (awaiting a promise).
void eval(page_self self, const std::string& expression, value_done on_value) {
  json_writer params;
  params.begin_object()
    .field("expression", expression)
    .field("returnByValue", true)
    .field("awaitPromise", true)
    .end_object();
  cdp(self, "Runtime.evaluate", params.str(),
      [on_value](cdp_result r) { read_evaluation(r, on_value); });
}

/// Thrown by the function bound to a ref's node when the node has left the
/// document (removed by the page's script, though not yet collected).
constexpr std::string_view detached_mark = "agenttheo:detached";

/// Calls `function_declaration` with `this` the node `backend_id`; `ref`
/// names it in what the model reads.
void call_on_node(page_self self, std::int64_t backend_id, std::string ref,
                  std::string function_declaration, value_done on_value) {
  json_writer params;
  params.begin_object().field("backendNodeId", backend_id).end_object();
  cdp(self, "DOM.resolveNode", params.str(),
      [self, ref, function_declaration, on_value](cdp_result r) {
        json_document doc{r.body};
        auto object_id = json_reader{doc}.object("object").text("objectId");
        if (!r.ok || !object_id)
          return on_value(false, stale_ref_message(ref));
        json_writer call;
        call.begin_object()
          .field("objectId", *object_id)
          .field("functionDeclaration",
                 "function () { if (!this.isConnected) throw new Error('"
                   + std::string{detached_mark} + "'); return ("
                   + function_declaration + ").call(this); }")
          .field("returnByValue", true)
          .field("awaitPromise", true)
          .end_object();
        json_writer release;
        release.begin_object().field("objectId", *object_id).end_object();
        cdp(self, "Runtime.callFunctionOn", call.str(),
            [self, ref, release = release.str(), on_value](cdp_result called) {
              cdp(self, "Runtime.releaseObject", release, [](cdp_result) {});
              read_evaluation(called, [ref, on_value](bool ok, std::string v) {
                if (!ok && v.find(detached_mark) != std::string::npos)
                  return on_value(false, stale_ref_message(ref));
                on_value(ok, std::move(v));
              });
            });
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

} // namespace

tool_result fail(std::string why) {
  tool_result result;
  result.output = std::move(why);
  return result;
}

tool_result succeeded(std::string output) {
  tool_result result;
  result.ok = true;
  result.output = std::move(output);
  return result;
}

std::string quoted(const std::string& text) {
  json_writer out;
  out.value(text);
  return out.str();
}


/// Tells the session what the running tool is doing (a `custom` event).
void note(page_self self, std::string message) {
  auto& st = self->state;
  if (st.owner)
    self->send(st.owner, tool_note{st.current_tool, std::move(message)});
}

namespace {

void cdp_to(page_self self, const std::string& cdp_target, const std::string& method,
            const std::string& params, std::function<void(cdp_result)> on_reply) {
  auto& st = self->state;
  self
    ->request(st.browser, st.settings.cdp_timeout + std::chrono::seconds{5},
              cdp_call{cdp_target, method, params})
    .then([on_reply](cdp_result& r) { on_reply(std::move(r)); },
          [on_reply](caf::error&) {
            on_reply({false, "the browser did not answer"});
          });
}

} // namespace

void cdp(page_self self, const std::string& method, const std::string& params,
         std::function<void(cdp_result)> on_reply) {
  cdp_to(self, self->state.handle->cdp_target, method, params, std::move(on_reply));
}

void browser_cdp(page_self self, const std::string& method,
                 const std::string& params, std::function<void(cdp_result)> on_reply) {
  cdp_to(self, {}, method, params, std::move(on_reply));
}

/// A script whose value is a string: the tool's output.
void eval_text(page_self self, const std::string& expression, tool_done done) {
  eval(self, expression, [done](bool ok, std::string value) {
    if (!ok)
      return done(fail(value));
    rapidjson::Document doc;
    doc.Parse(value.c_str());
    // With its length: a value may carry NUL (used as a separator).
    done(succeeded(doc.IsString()
                     ? std::string{doc.GetString(), doc.GetStringLength()}
                     : value));
  });
}

namespace {

/// `{ok, output}` as a tool's result.
value_done outcome_of(tool_done done) {
  return [done](bool evaluated, std::string value) {
    if (!evaluated)
      return done(fail(value));
    json_document doc{value};
    json_reader outcome{doc};
    auto ok = outcome.boolean("ok");
    auto output = outcome.text("output");
    if (!ok || !output)
      return done(fail("unexpected script result"));
    done(*ok ? succeeded(std::string{*output}) : fail(std::string{*output}));
  };
}

} // namespace

void evaluate(page_self self, const std::string& expression, value_done on_value) {
  eval(self, expression, std::move(on_value));
}

void evaluate_object(page_self self, const std::string& expression,
                     value_done on_object) {
  json_writer params;
  params.begin_object()
    .field("expression", expression)
    .field("returnByValue", false)
    .field("awaitPromise", true)
    .end_object();
  cdp(self, "Runtime.evaluate", params.str(), [on_object](cdp_result r) {
    read_evaluation(r, on_object, false);
  });
}

/// A script whose value is `{ok, output}`.
void eval_outcome(page_self self, const std::string& expression, tool_done done) {
  eval(self, expression, outcome_of(std::move(done)));
}

element_name element_name::of(json_reader& args) {
  return {std::string{args.text("ref").value_or("")},
          std::string{args.text("target").value_or("")}};
}

void on_element(page_self self, const element_name& name, std::string_view script,
                const element_argument& argument, value_done on_value) {
  if (name.ref.empty()) {
    if (name.target.empty())
      return on_value(false, "name the element: a ref from get_page_snapshot, "
                             "or a target");
    return eval(self,
                page_scripts::call(script, argument(agenttheo::quoted(name.target))),
                std::move(on_value));
  }
  auto node = self->state.refs.resolve(name.ref);
  if (auto* why = std::get_if<std::string>(&node))
    return on_value(false, *why);
  call_on_node(self, std::get<std::int64_t>(node), name.ref,
               page_scripts::function_on_element(script, argument("this")),
               std::move(on_value));
}

void on_element(page_self self, json_reader& args, std::string_view script,
                const element_argument& argument, value_done on_value) {
  on_element(self, element_name::of(args), script, argument, std::move(on_value));
}

void element_outcome(page_self self, const element_name& name, std::string_view script,
                     const element_argument& argument, tool_done done) {
  on_element(self, name, script, argument, outcome_of(std::move(done)));
}

void element_outcome(page_self self, json_reader& args, std::string_view script,
                     const element_argument& argument, tool_done done) {
  element_outcome(self, element_name::of(args), script, argument, std::move(done));
}

/// Calls `then` once the page is not loading (or the load timeout passed).
void when_idle(page_self self, std::function<void(bool loaded)> then) {
  auto& st = self->state;
  if (!st.loading)
    return then(true);
  note(self, "waiting for the page to finish loading");
  self->delayed_send(self, st.settings.load_timeout, load_timeout_atom::value,
                     st.load_wait.arm(std::move(then)));
}

/// After an action that may navigate (a click, a key): give it a moment to
/// start loading, and if it did, wait for the new page, so the next tool
/// never runs against a document being torn down.
tool_done settled(page_self self, tool_done done) {
  return [self, done](tool_result result) {
    auto go_on = [self, done, result](bool) mutable {
      when_idle(self, [self, done, result](bool loaded) mutable {
        if (!loaded)
          result.output += " (the page it led to is still loading)";
        // Downloads begun by now (while the action settled or its
        // navigation ran) end first: the next step may use the file.
        when_downloaded(self, [done, result]() mutable { done(std::move(result)); });
      });
    };
    self->delayed_send(self, settle_time, settle_atom::value,
                       self->state.settle_wait.arm(std::move(go_on)));
  };
}

namespace {

/// The title, the address, and the egress proxy's mark (its refusal pages
/// carry `<meta name=agenttheo-egress content=CODE>`) of the page loaded.
constexpr const char* loaded_page_script
  = "document.title + '\\u0000' + location.href + '\\u0000' + "
    "((document.querySelector('meta[name=agenttheo-egress]') || {}).content || '')";

struct loaded_page {
  std::string title;
  std::string url;
  std::string egress_code;
};

loaded_page read_loaded_page(const std::string& text) {
  loaded_page page;
  auto first = text.find('\0');
  page.title = text.substr(0, first);
  if (first == std::string::npos)
    return page;
  auto second = text.find('\0', first + 1);
  page.url = text.substr(first + 1, second == std::string::npos
                                      ? std::string::npos
                                      : second - first - 1);
  if (second != std::string::npos)
    page.egress_code = text.substr(second + 1);
  return page;
}

/// A navigation the egress proxy refused or could not carry.
tool_result egress_failure(const std::string& where, const std::string& code,
                           const std::string& sentence) {
  auto failed = fail("could not open " + where + ": " + sentence);
  failed.error_code = code;
  return failed;
}

} // namespace

/// Runs `start` (which begins a navigation), then waits for the page's load
/// event, or the load timeout; then reports the page's title.
void navigate_and_wait(
  page_self self, const std::string& what, const std::string& target,
  std::function<void(std::function<void(cdp_result)>)> start, tool_done done) {
  auto& st = self->state;
  auto generation = st.load_wait.arm([self, what, target, done](bool loaded) {
    eval_text(self, loaded_page_script,
              [what, target, done, loaded](tool_result r) {
                auto page = read_loaded_page(r.output);
                if (!page.egress_code.empty())
                  return done(egress_failure(target.empty() ? page.url : target,
                                             page.egress_code, page.title));
                auto opened
                  = succeeded(what + " " + page.url + "; title: \"" + page.title
                              + "\"" + (loaded ? "" : " (the page is still loading)"));
                opened.url = page.url;
                done(std::move(opened));
              });
  });
  self->delayed_send(self, st.settings.load_timeout, load_timeout_atom::value,
                     generation);
  start([self, done, target](cdp_result r) {
    json_document doc{r.body};
    auto error = r.ok ? std::string{json_reader{doc}.text("errorText").value_or("")}
                      : std::string{};
    if (r.ok && error.empty())
      return;
    self->state.load_wait.drop();
    if (error.empty())
      return done(fail("navigation failed: " + r.body));
    auto where = target.empty() ? std::string{"the page"} : target;
    // An https page the egress proxy would not carry: Chromium says only
    // that the tunnel failed; the proxy's journal says why.
    const auto& journal = self->state.settings.egress;
    if (error == "net::ERR_TUNNEL_CONNECTION_FAILED" && journal)
      if (auto refusal = journal->lookup(journal_key(target)))
        return done(egress_failure(where, refusal->code, refusal->sentence));
    auto failed = fail("could not open " + where + ": "
                       + describe_net_error(error, target));
    failed.error_code = error;
    done(std::move(failed));
  });
}

void open_url(page_self self, const std::string& what, const std::string& url,
              tool_done done) {
  json_writer params;
  params.begin_object().field("url", url).end_object();
  navigate_and_wait(
    self, what, url,
    [self, params = params.str()](auto on_reply) {
      cdp(self, "Page.navigate", params, on_reply);
    },
    std::move(done));
}

void press(page_self self, const std::string& key, tool_done done) {
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
          done(r2.ok ? succeeded("pressed " + key) : fail(r2.body));
        });
      });
}

namespace {

/// The region to capture, in CSS pixels, and the scale to capture it at.
struct capture_area {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
  double scale = 1;
};

void shoot(page_self self, bool full_page, std::optional<capture_area> area,
           unsigned quality, tool_done done) {
  json_writer params;
  params.begin_object()
    .field("format", "jpeg")
    .field("quality", quality)
    .field("captureBeyondViewport", full_page);
  if (area)
    params.key("clip")
      .begin_object()
      .field("x", area->x)
      .field("y", area->y)
      .field("width", area->width)
      .field("height", area->height)
      .field("scale", area->scale)
      .end_object();
  params.end_object();
  cdp(self, "Page.captureScreenshot", params.str(), [self, done](cdp_result r) {
    json_document doc{r.body};
    auto data_text = json_reader{doc}.text("data");
    if (!r.ok || !data_text)
      return done(fail("screenshot failed: " + r.body));
    std::string data{*data_text};
    eval_text(self, "location.href", [data, done](tool_result where) {
      auto shot = succeeded({});
      shot.image_base64 = data;
      shot.url = where.output;
      done(std::move(shot));
    });
  });
}

/// The viewport (or the whole page), scaled down to `max_width`.
std::optional<capture_area> area_within(const std::string& metrics_json,
                                        bool full_page, unsigned max_width) {
  json_document doc{metrics_json};
  json_reader metrics{doc};
  capture_area area;
  if (full_page) {
    auto content = metrics.object("cssContentSize");
    area.width = content.number("width").value_or(0);
    area.height = content.number("height").value_or(0);
  } else {
    auto view = metrics.object("cssVisualViewport");
    area.x = view.number("pageX").value_or(0);
    area.y = view.number("pageY").value_or(0);
    area.width = view.number("clientWidth").value_or(0);
    area.height = view.number("clientHeight").value_or(0);
  }
  if (area.width < 1 || area.height < 1)
    return std::nullopt;
  area.scale = std::min(1.0, max_width / area.width);
  return area;
}

} // namespace

/// A JPEG of the page, with its URL; `output` says what failed, if anything.
/// When the model sees the page, at most VISION_MAX_WIDTH wide.
namespace {

void capture_as_is(page_self self, bool full_page, tool_done done) {
  const auto& settings = self->state.settings;
  if (!settings.vision)
    return shoot(self, full_page, std::nullopt, 70, std::move(done));
  cdp(self, "Page.getLayoutMetrics", "{}",
      [self, full_page, done](cdp_result r) {
        const auto& settings = self->state.settings;
        auto area = r.ok ? area_within(r.body, full_page, settings.vision_max_width)
                         : std::nullopt;
        shoot(self, full_page, area, settings.vision_quality, done);
      });
}

/// The text fields (by field_values' index) that hold a secret's value.
std::vector<std::uint64_t> fields_with_secrets(const std::string& values_json,
                                               const secret_vault& vault) {
  rapidjson::Document doc;
  doc.Parse(values_json.c_str(), values_json.size());
  std::vector<std::uint64_t> fields;
  if (!doc.IsArray())
    return fields;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i)
    if (doc[i].IsString()
        && vault.holds_value({doc[i].GetString(), doc[i].GetStringLength()}))
      fields.push_back(i);
  return fields;
}

/// `shot`, once the boxes over the fields are gone again.
tool_done unmasking(page_self self, tool_done done) {
  return [self, done](tool_result shot) {
    eval_text(self, page_scripts::call(page_scripts::mask_fields, "null"),
              [done, shot](tool_result) { done(shot); });
  };
}

} // namespace

/// With secrets about, a field that shows one (a password typed into a
/// text field, a site echoing it) is covered by an opaque box for the
/// capture. Fields the page would not list: no screenshot at all.
void capture(page_self self, bool full_page, tool_done done) {
  auto vault = self->state.settings.secrets;
  if (vault->empty())
    return capture_as_is(self, full_page, std::move(done));
  eval_text(
    self, page_scripts::call(page_scripts::field_values, "null"),
    [self, full_page, done, vault](tool_result values) {
      if (!values.ok)
        return done(fail("no screenshot: the page's fields could not be checked "
                         "for secrets"));
      auto fields = fields_with_secrets(values.output, *vault);
      if (fields.empty())
        return capture_as_is(self, full_page, done);
      json_writer indices;
      indices.begin_array();
      for (auto i : fields)
        indices.value(i);
      indices.end_array();
      eval_text(self, page_scripts::call(page_scripts::mask_fields, indices.str()),
                [self, full_page, done](tool_result) {
                  capture_as_is(self, full_page, unmasking(self, done));
                });
    });
}

/// Starts or stops `Page.startScreencast` to match what the owner wants,
/// once the page has a context.
void sync_screencast(page_self self) {
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

} // namespace agenttheo
