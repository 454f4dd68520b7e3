#include "llm/offline_planner.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/url_parts.hpp"
#include "util/ascii.hpp"

namespace agenttheo::offline_planner {

namespace {

constexpr std::string_view capabilities
  = "Commands I follow: go to <url> (also open, visit, navigate to); "
    "click <text, CSS selector or ref such as e12>; type <text> into "
    "<field>, or fill <field> with <text>; select <option> in <list>; hover "
    "over <element>; upload <file> into <file input>; list the downloads; "
    "press <key>; scroll down or up; go back; read the title; "
    "read the page; take a snapshot; list the elements; list the links; take a screenshot; ask "
    "me <question>; "
    "let me take over. Chain steps with "
    "\"then\", as in \"go to example.com then read the title\". For "
    "free-form requests, name a real model in config/.env (LLM_PROVIDER and "
    "its API key): it is one line away.";

constexpr std::array<std::string_view, 8> greetings = {
  "hi", "hello", "hey", "help", "what can you do", "who are you", "?", "start",
};

/// Longest first, so ", and then" is not read as "then".
constexpr std::array<std::string_view, 5> separators = {
  ", and then ", " and then ", ", then ", " then ", ";",
};

/// How the session words a step the user rejected (its tool result).
constexpr std::string_view rejected_prefix = "the user rejected this action";

/// Longest answer the planner gives from page text.
constexpr std::size_t max_answer_text = 2000;

std::string trim(std::string_view text) {
  auto strip = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '.' || c == ',';
  };
  while (!text.empty() && strip(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && strip(text.back()))
    text.remove_suffix(1);
  return std::string{text};
}

std::string unquote(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'')
      && text.back() == text.front())
    return text.substr(1, text.size() - 2);
  return text;
}

std::vector<std::string> split_steps(std::string_view command) {
  std::vector<std::string> parts;
  auto low = ascii_lower(command);
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < low.size()) {
    auto hit = std::find_if(separators.begin(), separators.end(), [&](auto sep) {
      return low.compare(pos, sep.size(), sep) == 0;
    });
    if (hit == separators.end()) {
      ++pos;
      continue;
    }
    parts.push_back(trim(command.substr(start, pos - start)));
    pos += hit->size();
    start = pos;
  }
  parts.push_back(trim(command.substr(start)));
  parts.erase(std::remove(parts.begin(), parts.end(), std::string{}), parts.end());
  return parts;
}

/// If `low` starts with one of `prefixes`, the rest of `original` after it.
bool take_prefix(const std::string& low, const std::string& original,
                 std::initializer_list<std::string_view> prefixes,
                 std::string& rest) {
  for (auto prefix : prefixes)
    if (low.compare(0, prefix.size(), prefix) == 0) {
      rest = unquote(trim(original.substr(prefix.size())));
      return true;
    }
  return false;
}

bool is_one_of(const std::string& low,
               std::initializer_list<std::string_view> phrases) {
  return std::find(phrases.begin(), phrases.end(), low) != phrases.end();
}

std::string args(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  json_writer out;
  out.begin_object();
  for (auto& [key, value] : fields)
    out.field(key, value);
  out.end_object();
  return out.str();
}

/// A bare host gets https://, unless it is this machine or names a port
/// (`localhost:8000/demo/`, `127.0.0.1`): those are local servers, which
/// speak plain HTTP.
std::string with_scheme(const std::string& url) {
  if (url.find("://") != std::string::npos)
    return url;
  auto where = split_authority(url);
  auto local = is_loopback_host(where.host) || !where.port.empty();
  return (local ? "http://" : "https://") + url;
}

/// Words with spaces between them are a description, not an address.
bool looks_like_url(const std::string& text) {
  return text.find_first_of(" \t") == std::string::npos;
}

/// Splits "a <word> b" at the last " <word> " (case-insensitive).
bool split_on(const std::string& low, const std::string& original,
              std::string_view word, std::string& before, std::string& after) {
  auto needle = " " + std::string{word} + " ";
  auto at = low.rfind(needle);
  if (at == std::string::npos)
    return false;
  before = unquote(trim(original.substr(0, at)));
  after = unquote(trim(original.substr(at + needle.size())));
  return !before.empty() && !after.empty();
}

/// The argument naming an element: `ref` for a snapshot's e12, else
/// `target` (text, a selector, a number).
std::pair<std::string, std::string> element(const std::string& named) {
  bool is_ref = named.size() > 1 && named[0] == 'e'
                && named.find_first_not_of("0123456789", 1) == std::string::npos;
  return {is_ref ? "ref" : "target", named};
}

bool match_step(const std::string& part, planned_step& step) {
  auto low = ascii_lower(part);
  std::string rest, a, b;
  if (is_one_of(low, {"go back", "back", "go back a page"})) {
    step = {"go_back", "{}", "I'll go back a page."};
  } else if (is_one_of(low, {"reload", "refresh", "reload the page",
                             "refresh the page"})) {
    step = {"reload", "{}", "I'll reload the page."};
  } else if (take_prefix(low, part, {"navigate to ", "browse to ", "go to ",
                                     "open ", "visit "},
                         rest)
             && !rest.empty() && looks_like_url(rest)) {
    auto url = with_scheme(rest);
    step = {"navigate_to", args({{"url", url}}), "I'll open " + url + "."};
  } else if (take_prefix(low, part, {"click on ", "click "}, rest)
             && !rest.empty()) {
    step = {"click", args({element(rest)}), "I'll click " + rest + "."};
  } else if (take_prefix(low, part, {"hover over ", "hover on ", "hover "}, rest)
             && !rest.empty()) {
    step = {"hover", args({element(rest)}), "I'll point at " + rest + "."};
  } else if (take_prefix(low, part, {"select ", "choose "}, rest)
             && (split_on(ascii_lower(rest), rest, "in", a, b)
                 || split_on(ascii_lower(rest), rest, "from", a, b))) {
    step = {"select_option", args({element(b), {"option", a}}),
            "I'll choose \"" + a + "\" in " + b + "."};
  } else if (take_prefix(low, part, {"upload "}, rest)
             && (split_on(ascii_lower(rest), rest, "into", a, b)
                 || split_on(ascii_lower(rest), rest, "to", a, b))) {
    step = {"upload_file", args({element(b), {"artifact", a}}),
            "I'll put " + a + " into " + b + "."};
  } else if (is_one_of(low, {"list the downloads", "list downloads",
                             "list the files", "show the downloads"})) {
    step = {"list_downloads", "{}", "I'll list the session's files."};
  } else if (take_prefix(low, part, {"type "}, rest)
             && split_on(ascii_lower(rest), rest, "into", a, b)) {
    step = {"type_text", args({element(b), {"text", a}}),
            "I'll type \"" + a + "\" into " + b + "."};
  } else if (take_prefix(low, part, {"fill in ", "fill "}, rest)
             && split_on(ascii_lower(rest), rest, "with", a, b)) {
    step = {"type_text", args({element(a), {"text", b}}),
            "I'll fill " + a + " with \"" + b + "\"."};
  } else if (is_one_of(low, {"list the elements", "list the interactive elements",
                             "list the buttons and fields"})) {
    step = {"get_interactive_elements", "{}", "I'll list what I can act on."};
  } else if (is_one_of(low, {"take a snapshot", "snapshot the page", "snapshot",
                             "outline the page", "show the outline"})) {
    step = {"get_page_snapshot", "{}", "I'll read the page's outline."};
  } else if (take_prefix(low, part, {"press "}, rest) && !rest.empty()) {
    step = {"press_key", args({{"key", rest}}), "I'll press " + rest + "."};
  } else if (is_one_of(low, {"scroll down", "scroll up"})) {
    auto direction = low.substr(7);
    step = {"scroll", args({{"direction", direction}}),
            "I'll scroll " + direction + "."};
  } else if (take_prefix(low, part, {"wait for "}, rest) && !rest.empty()) {
    step = {"wait_for", args({{"text", rest}}), "I'll wait for " + rest + "."};
  } else if (is_one_of(low, {"read the title", "what is the title",
                             "what's the title", "get the title", "read title",
                             "tell me the title"})) {
    step = {"get_title", "{}", "I'll read the page's title."};
  } else if (is_one_of(low, {"read the page", "extract the text", "read the text",
                             "get the page text", "read it"})) {
    step = {"get_page_text", "{}", "I'll read the page."};
  } else if (is_one_of(low, {"list the links", "get the links", "list links",
                             "show the links"})) {
    step = {"get_links", "{}", "I'll list the links."};
  } else if (take_prefix(low, part, {"ask me "}, rest) && !rest.empty()) {
    step = {"ask_user", args({{"question", rest}}), "I'll ask you: " + rest};
  } else if (take_prefix(low, part, {"let me take over", "hand me the browser"},
                         rest)) {
    auto reason = rest.empty() ? std::string{"you asked to take over"} : rest;
    step = {"request_takeover", args({{"reason", reason}}),
            "I'll hand you the browser."};
  } else if (is_one_of(low, {"take a screenshot", "take screenshot",
                             "screenshot", "capture the page"})) {
    step = {"take_screenshot", "{}", "I'll take a screenshot."};
  } else {
    return false;
  }
  return true;
}

std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '?' || c == ' ')
      out += static_cast<char>(std::tolower(u));
  }
  return trim(out);
}

bool is_greeting(std::string_view command) {
  auto text = normalized(command);
  while (!text.empty() && text.back() == '?')
    text.pop_back();
  return text.empty()
         || std::find(greetings.begin(), greetings.end(), text)
              != greetings.end();
}

std::string bounded(const std::string& text) {
  if (text.size() <= max_answer_text)
    return text;
  return text.substr(0, max_answer_text) + " [...]";
}

/// The final answer, from what the last reading step found.
std::string final_answer(const plan& p, const std::vector<std::string>& results) {
  for (std::size_t i = p.steps.size(); i-- > 0;) {
    const auto& tool = p.steps[i].tool;
    const auto& found = i < results.size() ? results[i] : std::string{};
    if (tool == "get_title")
      return found.empty() ? "The page has no title."
                           : "The page title is: " + found;
    if (tool == "get_page_text")
      return "Here is the page's text:\n" + bounded(found);
    if (tool == "get_links")
      return "The links on the page:\n" + bounded(found);
    if (tool == "get_page_snapshot")
      return "The page's outline:\n" + bounded(found);
    if (tool == "ask_user")
      return "You answered: " + bounded(found);
    if (tool == "request_takeover")
      return found;
  }
  return "Done: I carried out all " + std::to_string(p.steps.size())
         + (p.steps.size() == 1 ? " step." : " steps.");
}

/// What the step that ran `tool` last read (empty if none did).
std::string read_by(const plan& p, const std::vector<std::string>& results,
                    std::string_view tool) {
  for (std::size_t i = std::min(p.steps.size(), results.size()); i-- > 0;)
    if (p.steps[i].tool == tool)
      return results[i];
  return {};
}

/// A value for a property the planner cannot fill: empty of its type.
void write_empty(json_writer& out, std::string_view type) {
  if (type == "array")
    out.begin_array().end_array();
  else if (type == "object")
    out.begin_object().end_object();
  else if (type == "integer" || type == "number")
    out.value(std::int64_t{0});
  else if (type == "boolean")
    out.value(false);
  else
    out.value("");
}

/// `output_schema` filled from what the plan read, by property name.
std::string filled_output(std::string_view schema_json, const plan& p,
                          const std::vector<std::string>& results) {
  json_document doc{schema_json};
  json_reader schema{doc};
  auto answer = final_answer(p, results);
  json_writer out;
  if (schema.text("type").value_or("") != "object") {
    out.value(answer);
    return out.str();
  }
  out.begin_object();
  if (const auto* all = schema.any("properties"); all && all->IsObject())
    for (const auto& m : all->GetObject()) {
      std::string name{m.name.GetString(), m.name.GetStringLength()};
      auto type = std::string{json_reader{m.value}.text("type").value_or("string")};
      out.key(name);
      if (name == "title" && type == "string") {
        out.value(read_by(p, results, "get_title"));
      } else if (name == "links" && type == "array") {
        out.begin_array();
        std::string_view text = read_by(p, results, "get_links");
        while (!text.empty()) {
          auto end = text.find('\n');
          out.value(text.substr(0, end));
          text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        }
        out.end_array();
      } else if ((name == "text" || name == "content") && type == "string") {
        out.value(read_by(p, results, "get_page_text"));
      } else if (name == "url" && type == "string") {
        std::string url;
        for (const auto& step : p.steps)
          if (step.tool == "navigate_to")
            url = std::string{json_reader{json_document{step.arguments_json}}
                                .text("url")
                                .value_or("")};
        out.value(url);
      } else if ((name == "answer" || name == "result" || name == "summary")
                 && type == "string") {
        out.value(answer);
      } else {
        write_empty(out, type);
      }
    }
  out.end_object();
  return out.str();
}

} // namespace

plan parse_command(std::string_view command) {
  plan result;
  for (auto& part : split_steps(command)) {
    planned_step step;
    if (match_step(part, step))
      result.steps.push_back(std::move(step));
    else
      result.not_understood.push_back(part);
  }
  return result;
}

turn next_turn(std::string_view command, const std::vector<std::string>& results,
               std::string_view output_schema) {
  auto p = parse_command(command);
  if (p.steps.empty() || !p.not_understood.empty())
    return {reply_to(command), {}};
  // A rejected step ends the plan: the user said no.
  if (!results.empty() && results.back().rfind(rejected_prefix, 0) == 0)
    return {"I stopped there: " + results.back() + ".", {}};
  // A failed step ends the plan: say what failed rather than go on blind.
  if (!results.empty() && results.back().rfind("error: ", 0) == 0) {
    const auto& failed = p.steps[std::min(results.size(), p.steps.size()) - 1];
    return {"I could not finish: " + failed.tool + " failed: "
              + results.back().substr(7),
            {}};
  }
  if (results.size() >= p.steps.size() && !output_schema.empty()) {
    json_writer args;
    args.begin_object().key("output").raw(filled_output(output_schema, p, results));
    args.end_object();
    return {"Here is the answer in the shape asked for.",
            {{"call_planner_done", "done", args.str()}}};
  }
  if (results.size() >= p.steps.size())
    return {final_answer(p, results), {}};
  auto index = results.size();
  const auto& step = p.steps[index];
  tool_call call{"call_planner_" + std::to_string(index + 1), step.tool,
                 step.arguments_json};
  return {step.narration, {std::move(call)}};
}

std::string reply_to(std::string_view command) {
  if (is_greeting(command))
    return "Hello! I am AgentTheo's built-in offline planner: a rule-based "
           "stand-in for a language model that turns plain commands into "
           "browser steps. "
           + std::string{capabilities};
  auto p = parse_command(command);
  std::string reply = "I am AgentTheo's built-in offline planner, not a "
                      "language model, and I did not understand ";
  if (p.steps.empty()) {
    reply += "\"" + std::string{command} + "\". ";
  } else {
    for (std::size_t i = 0; i < p.not_understood.size(); ++i)
      reply += (i == 0 ? "\"" : ", \"") + p.not_understood[i] + "\"";
    reply += ". ";
  }
  return reply + std::string{capabilities};
}

std::vector<std::string> results_since_command(const std::vector<chat_message>& messages,
                                               std::string_view command) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i].role == "user" && messages[i].content == command)
      from = i + 1;
  std::vector<std::string> results;
  for (auto i = from; i < messages.size(); ++i)
    if (messages[i].role == "tool")
      results.push_back(messages[i].content);
  return results;
}

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto word_end = text.find_first_of(" \n\t", pos);
    if (word_end == std::string_view::npos)
      word_end = text.size();
    auto next = text.find_first_not_of(" \n\t", word_end);
    if (next == std::string_view::npos)
      next = text.size();
    tokens.emplace_back(text.substr(pos, next - pos));
    pos = next;
  }
  return tokens;
}

} // namespace agenttheo::offline_planner
