#include "actors/page_tools.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/page_files.hpp"
#include "actors/page_snapshot.hpp"
#include "actors/page_tabs.hpp"
#include "browser/egress_policy.hpp"
#include "browser/page_scripts.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr std::size_t max_elements = 200;
constexpr std::size_t max_links = 100;
constexpr std::int64_t default_wait_ms = 5'000;
constexpr std::int64_t max_wait_ms = 30'000;
constexpr std::int64_t default_text_chars = 4'000;

std::string text_arg(json_reader& args, const char* name) {
  return std::string{args.text(name).value_or("")};
}

// -- navigation ---------------------------------------------------------------

void navigate_to(page_self self, json_reader& args, tool_done done) {
  auto url = text_arg(args, "url");
  if (auto refused = check_navigation(self->state.settings.policy, url))
    return done(fail("refused: " + *refused));
  open_url(self, "opened", url, std::move(done));
}

void reload(page_self self, json_reader&, tool_done done) {
  navigate_and_wait(
    self, "reloaded", {},
    [self](auto on_reply) { cdp(self, "Page.reload", "{}", on_reply); }, done);
}

void go_back(page_self self, json_reader&, tool_done done) {
  cdp(self, "Page.getNavigationHistory", "{}", [self, done](cdp_result r) {
    json_document doc{r.body};
    json_reader history{doc};
    auto index = history.integer("currentIndex");
    auto* entries = history.array("entries");
    if (!r.ok || !index || !entries)
      return done(fail("cannot read the history: " + r.body));
    if (*index <= 0 || static_cast<std::size_t>(*index) > entries->Size())
      return done(fail("there is no previous page"));
    auto entry = json_reader{(*entries)[static_cast<unsigned>(*index - 1)]}
                   .integer("id");
    if (!entry)
      return done(fail("cannot read the history: " + r.body));
    json_writer params;
    params.begin_object().field("entryId", *entry).end_object();
    navigate_and_wait(
      self, "went back to", {},
      [self, params = params.str()](auto on_reply) {
        cdp(self, "Page.navigateToHistoryEntry", params, on_reply);
      },
      done);
  });
}

// -- acting on the page -------------------------------------------------------

void click(page_self self, json_reader& args, tool_done done) {
  element_outcome(self, args, page_scripts::click, target_only, settled(self, done));
}

/// Inserts `text` into the focused element `target`, then maybe Enter;
/// the result says it typed `shown` (the text with its secrets' values
/// still placeholders).
void insert_text(page_self self, std::string text, std::string shown,
                 std::string target, bool submit, tool_done done) {
  json_writer params;
  params.begin_object().field("text", text).end_object();
  cdp(self, "Input.insertText", params.str(),
      [self, shown, target, submit, done](cdp_result r) {
        if (!r.ok)
          return done(fail(r.body));
        auto typed = succeeded("typed \"" + shown + "\" into " + target);
        if (!submit)
          return done(typed);
        press(self, "Enter", [self, typed, done](tool_result pressed) {
          auto result
            = pressed.ok ? succeeded(typed.output + " and submitted") : pressed;
          settled(self, done)(std::move(result));
        });
      });
}

/// `text` with its `<secret:name>` placeholders filled for the page the
/// active tab shows now, or why not (then nothing is typed).
void fill_secrets(page_self self, std::string text,
                  std::function<void(secret_fill)> then) {
  if (!secret_vault::has_placeholder(text))
    return then({true, std::move(text)});
  auto vault = self->state.settings.secrets;
  eval_text(self, "location.hostname", [vault, text, then](tool_result host) {
    if (!host.ok)
      return then({false, "could not tell which host the page is on: " + host.output});
    then(vault->fill(text, host.output));
  });
}

/// Makes the focused field draw its text as discs, as a password field
/// does, so no frame of the live view (the screencast, which is not
/// masked per capture as screenshots are) ever shows a secret typed.
constexpr const char* conceal_focused = R"((() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing is focused';
  el.style.setProperty('-webkit-text-security', 'disc', 'important');
  return 'concealed';
})())";

/// `then()` once the focused field is concealed, when `secret` says a
/// value goes in; a field that cannot be concealed gets nothing.
void conceal_if_secret(page_self self, bool secret, tool_done done,
                       std::function<void()> then) {
  if (!secret)
    return then();
  eval_text(self, conceal_focused, [done, then](tool_result r) {
    if (!r.ok || r.output != "concealed")
      return done(fail("could not conceal the field for a secret (" + r.output
                       + "); nothing was typed"));
    then();
  });
}

void type_text(page_self self, json_reader& args, tool_done done) {
  auto text = text_arg(args, "text");
  auto submit = args.boolean("submit").value_or(false);
  // The element is found once the text is filled (nothing is focused on a
  // host the secret may not be used on).
  fill_secrets(self, text, [self, text, submit, done,
                            name = element_name::of(args)](secret_fill filled) {
    if (!filled.ok)
      return done(fail(filled.text));
    element_outcome(self, name, page_scripts::focus, target_only,
                    [self, text, typed = std::move(filled.text), submit,
                     done](tool_result focused) {
                      if (!focused.ok)
                        return done(focused);
                      conceal_if_secret(self, typed != text, done,
                                        [self, typed, text, focused, submit, done] {
                                          insert_text(self, typed, text, focused.output,
                                                      submit, done);
                                        });
                    });
  });
}

void select_option(page_self self, json_reader& args, tool_done done) {
  auto option = quoted(text_arg(args, "option"));
  element_outcome(
    self, args, page_scripts::select_option,
    [option](const std::string& target) {
      return "{target: " + target + ", option: " + option + "}";
    },
    settled(self, done));
}

/// Moves the mouse over the element's centre, as a person pointing at it
/// would: CSS :hover and the page's mouseover handlers see a real pointer.
void hover(page_self self, json_reader& args, tool_done done) {
  on_element(self, args, page_scripts::hover, target_only,
             [self, done](bool evaluated, std::string value) {
               json_document doc{value};
               json_reader found{doc};
               auto ok = found.boolean("ok");
               auto output = std::string{found.text("output").value_or(value)};
               auto x = found.number("x");
               auto y = found.number("y");
               if (!evaluated || !ok || !*ok || !x || !y)
                 return done(fail(output));
               json_writer move;
               move.begin_object()
                 .field("type", "mouseMoved")
                 .field("x", *x)
                 .field("y", *y)
                 .end_object();
               cdp(self, "Input.dispatchMouseEvent", move.str(),
                   [self, output, done](cdp_result r) {
                     settled(self, done)(r.ok ? succeeded("hovered over " + output)
                                              : fail(r.body));
                   });
             });
}

void press_key(page_self self, json_reader& args, tool_done done) {
  press(self, text_arg(args, "key"), settled(self, done));
}

void scroll(page_self self, json_reader& args, tool_done done) {
  json_writer arg;
  arg.begin_object()
    .field("direction", text_arg(args, "direction") == "up" ? "up" : "down")
    .field("amount", args.integer("amount").value_or(0))
    .end_object();
  eval_text(self, page_scripts::call(page_scripts::scroll, arg.str()), done);
}

void wait_for(page_self self, json_reader& args, tool_done done) {
  auto wait = std::clamp<std::int64_t>(
    args.integer("timeout_ms").value_or(default_wait_ms), 0, max_wait_ms);
  json_writer arg;
  arg.begin_object()
    .field("text", text_arg(args, "text"))
    .field("selector", text_arg(args, "selector"))
    .field("timeout_ms", wait)
    .end_object();
  eval_outcome(self, page_scripts::call(page_scripts::wait_for, arg.str()),
               done);
}

// -- tabs -----------------------------------------------------------------------

void list_tabs_tool(page_self self, json_reader&, tool_done done) {
  list_tabs(self, std::move(done));
}

std::uint32_t tab_arg(json_reader& args) {
  auto n = args.integer("tab").value_or(0);
  return n > 0 && n < 1'000'000 ? static_cast<std::uint32_t>(n) : 0;
}

void switch_tab_tool(page_self self, json_reader& args, tool_done done) {
  switch_tab(self, tab_arg(args), std::move(done));
}

void close_tab_tool(page_self self, json_reader& args, tool_done done) {
  close_tab(self, tab_arg(args), std::move(done));
}

void open_tab_tool(page_self self, json_reader& args, tool_done done) {
  auto url = text_arg(args, "url");
  if (auto refused = check_navigation(self->state.settings.policy, url))
    return done(fail("refused: " + *refused));
  open_tab(self, url, std::move(done));
}

// -- files ----------------------------------------------------------------------

void list_downloads_tool(page_self self, json_reader&, tool_done done) {
  list_downloads(self, std::move(done));
}

// -- reading the page ---------------------------------------------------------

void get_page_snapshot(page_self self, json_reader& args, tool_done done) {
  // Room under the output bound for the snapshot's own note when it is cut.
  auto limit = static_cast<std::int64_t>(self->state.settings.max_output) - 200;
  auto max = std::clamp<std::int64_t>(args.integer("max_chars").value_or(limit),
                                      std::min<std::int64_t>(500, limit), limit);
  snapshot_page(self, static_cast<std::size_t>(max), std::move(done));
}

void get_interactive_elements(page_self self, json_reader&, tool_done done) {
  eval_text(self,
            page_scripts::call(page_scripts::interactive_elements,
                               std::to_string(max_elements)),
            done);
}

void get_page_text(page_self self, json_reader& args, tool_done done) {
  auto max = std::clamp<std::int64_t>(
    args.integer("max_chars").value_or(default_text_chars), 1,
    static_cast<std::int64_t>(self->state.settings.max_output));
  eval_text(self,
            page_scripts::call(page_scripts::page_text, std::to_string(max)),
            done);
}

void get_title(page_self self, json_reader&, tool_done done) {
  eval_text(self, "document.title", done);
}

void get_links(page_self self, json_reader&, tool_done done) {
  eval_text(self,
            page_scripts::call(page_scripts::links, std::to_string(max_links)),
            done);
}

void take_screenshot(page_self self, json_reader& args, tool_done done) {
  capture(self, args.boolean("full_page").value_or(false),
          [done](tool_result shot) {
            if (shot.ok)
              shot.output = "took a screenshot of " + shot.url + " ("
                            + std::to_string(shot.image_base64.size() * 3 / 4
                                             / 1024)
                            + " KiB JPEG)";
            done(std::move(shot));
          });
}

// -- schemas ------------------------------------------------------------------

constexpr const char* element_schema
  = R"("ref":{"type":"string","description":"the element's ref from get_page_snapshot, such as e12"},)"
    R"("target":{"type":"string","description":"without a ref: the number of an element from get_interactive_elements, its visible text, or a CSS selector"})";

std::string object(const std::string& properties, const std::string& required) {
  return R"({"type":"object","properties":{)" + properties
         + R"(},"required":[)" + required + "]}";
}

std::vector<page_tool> make_tools() {
  std::string element = element_schema;
  return {
    {"navigate_to",
     "Open a URL (http or https) in the browser and wait for it to load.",
     object(R"("url":{"type":"string"})", R"("url")"), true, navigate_to},
    {"go_back", "Go back to the previous page.", object("", ""), true,
     go_back},
    {"reload", "Reload the current page.", object("", ""), true, reload},
    {"click", "Click an element, named by ref or target.", object(element, ""),
     true, click},
    {"type_text",
     "Type text into an input field (named by ref or target), optionally "
     "submitting it.",
     object(element + R"(,"text":{"type":"string"},"submit":{"type":"boolean"})",
            R"("text")"),
     true, type_text},
    {"select_option",
     "Choose an option of a drop-down list (named by ref or target) by its "
     "value or text.",
     object(element + R"(,"option":{"type":"string"})", R"("option")"), true,
     select_option},
    {"hover", "Move the mouse over an element (named by ref or target).",
     object(element, ""), true, hover},
    {"press_key", "Press a key, such as Enter, Tab, Escape or ArrowDown.",
     object(R"("key":{"type":"string"})", R"("key")"), true, press_key},
    {"scroll", "Scroll the page.",
     object(
       R"("direction":{"type":"string","enum":["up","down"]},"amount":{"type":"integer","description":"pixels; default most of a screen"})",
       R"("direction")"),
     true, scroll},
    {"wait_for", "Wait until a text or a CSS selector appears on the page.",
     object(
       R"("text":{"type":"string"},"selector":{"type":"string"},"timeout_ms":{"type":"integer"})",
       ""),
     false, wait_for},
    {"get_page_snapshot",
     "Read the page as an outline of its accessibility tree: roles, names, "
     "values and states, frames included, with a ref (such as e12) on each "
     "element you can act on. Refs last until the page changes.",
     object(R"("max_chars":{"type":"integer"})", ""), false, get_page_snapshot},
    {"get_interactive_elements",
     "List the visible links, buttons and fields, numbered for click and "
     "type_text.",
     object("", ""), false, get_interactive_elements},
    {"get_page_text", "Read the page's visible text.",
     object(R"("max_chars":{"type":"integer"})", ""), false, get_page_text},
    {"get_title", "Read the page's title.", object("", ""), false, get_title},
    {"get_links", "List the page's links with their text and URL.",
     object("", ""), false, get_links},
    {"list_tabs",
     "List the session's tabs (a popup or a link that opens a new tab adds "
     "one), with the active one marked.",
     object("", ""), false, list_tabs_tool},
    {"switch_tab", "Make another tab the active one; the tools act there.",
     object(R"("tab":{"type":"integer","description":"its number from list_tabs"})",
            R"("tab")"),
     true, switch_tab_tool},
    {"close_tab", "Close a tab (not the last one).",
     object(R"("tab":{"type":"integer","description":"its number from list_tabs"})",
            R"("tab")"),
     true, close_tab_tool},
    {"open_tab", "Open a URL (http or https) in a new tab, which becomes active.",
     object(R"("url":{"type":"string"})", R"("url")"), true, open_tab_tool},
    {"list_downloads",
     "List the session's files: what the page downloaded and what the user "
     "posted, by name, for upload_file.",
     object("", ""), false, list_downloads_tool},
    {"upload_file",
     "Put one of the session's files (named as list_downloads lists it) into "
     "a file input (input type=file, named by ref or target).",
     object(element + R"(,"artifact":{"type":"string","description":"the file's name from list_downloads"})",
            R"("artifact")"),
     true, upload_file},
    {"take_screenshot", "Take a screenshot of the page.",
     object(R"("full_page":{"type":"boolean"})", ""), false, take_screenshot},
  };
}

} // namespace

const std::vector<page_tool>& page_tools() {
  static const auto tools = make_tools();
  return tools;
}

const page_tool* find_page_tool(std::string_view name) {
  for (const auto& tool : page_tools())
    if (tool.name == name)
      return &tool;
  return nullptr;
}

const std::vector<tool_schema>& page_tool_schemas() {
  static const auto schemas = [] {
    std::vector<tool_schema> result;
    for (const auto& tool : page_tools())
      result.push_back({std::string{tool.name}, std::string{tool.description},
                        tool.parameters});
    return result;
  }();
  return schemas;
}

} // namespace agenttheo
