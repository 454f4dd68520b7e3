#include "cli/event_printer.hpp"

#include <algorithm>

#include <rapidjson/document.h>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo::cli {

namespace {

constexpr const char* dim = "2";
constexpr const char* bold = "1";
constexpr const char* green = "32";
constexpr const char* red = "31";
constexpr const char* yellow = "33";
constexpr const char* blue = "34";

std::string text_of(const rapidjson::Value& v, const char* name) {
  return std::string{json_reader{v}.text(name).value_or("")};
}

std::uint64_t number_of(const rapidjson::Value& v, const char* name) {
  return json_reader{v}.count(name).value_or(0);
}

bool flag_of(const rapidjson::Value& v, const char* name, bool fallback) {
  return json_reader{v}.boolean(name).value_or(fallback);
}

/// `▕████░░░░▏` for step `step` of `total`, 20 cells wide.
std::string bar(std::uint64_t step, std::uint64_t total) {
  constexpr std::uint64_t width = 20;
  auto filled = total == 0 ? 0 : std::min(width, step * width / total);
  std::string out = "[";
  for (std::uint64_t i = 0; i < width; ++i)
    out += i < filled ? "#" : ".";
  return out + "]";
}

/// The first line of a tool's output, cut to fit a terminal line.
std::string gist(std::string text) {
  if (auto nl = text.find('\n'); nl != std::string::npos)
    text = text.substr(0, nl) + " …";
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

} // namespace

std::string event_printer::paint(std::string_view text, const char* code) const {
  if (!opts_.color)
    return std::string{text};
  return "\x1b[" + std::string{code} + "m" + std::string{text} + "\x1b[0m";
}

std::string event_printer::fresh_line() {
  if (at_line_start_)
    return {};
  at_line_start_ = true;
  return "\n";
}

std::string event_printer::note(std::string_view text) {
  if (opts_.json)
    return {};
  return fresh_line() + paint(text, dim) + "\n";
}

std::string event_printer::render(std::string_view type, std::uint64_t id, bool has_id,
                                  std::string_view data) {
  if (opts_.json) {
    json_writer out;
    out.begin_object().field("type", type);
    if (has_id)
      out.field("id", id);
    out.key("data").raw(data).end_object();
    return out.str() + "\n";
  }
  rapidjson::Document d;
  d.Parse(data.data(), data.size());
  if (type == "token") {
    auto token = text_of(d, "token");
    if (!token.empty())
      at_line_start_ = token.back() == '\n';
    return token;
  }
  if (type == "progress") {
    auto step = number_of(d, "step"), total = number_of(d, "total");
    // A model's run has no known total: no bar, and the limit said as one.
    if (!flag_of(d, "total_known", true))
      return fresh_line()
             + paint("step " + std::to_string(step) + " (at most "
                       + std::to_string(total) + ")",
                     blue)
             + " " + paint(text_of(d, "message"), dim) + "\n";
    return fresh_line()
           + paint(bar(step, total) + " step " + std::to_string(step) + "/"
                     + std::to_string(total),
                   blue)
           + " " + paint(text_of(d, "message"), dim) + "\n";
  }
  if (type == "tool_start")
    return {};
  if (type == "start" && opts_.commands)
    return fresh_line() + paint("> " + text_of(d, "command"), bold) + "\n";
  if (type == "tool_end") {
    auto ok = flag_of(d, "ok", false);
    auto line = "  " + paint(ok ? "ok    " : "failed", ok ? green : red) + " "
                + paint(text_of(d, "tool_name"), bold) + " "
                + std::to_string(number_of(d, "duration_ms")) + " ms  "
                + paint(gist(text_of(d, "output")), dim);
    return fresh_line() + line + "\n";
  }
  if (type == "screenshot")
    return fresh_line() + paint("  screenshot of " + text_of(d, "url"), dim) + "\n";
  if (type == "artifact")
    return fresh_line()
           + paint("  saved " + text_of(d, "name") + " ("
                     + std::to_string(number_of(d, "bytes")) + " bytes): "
                     + text_of(d, "url"),
                   dim)
           + "\n";
  if (type == "status") {
    auto state = text_of(d, "state");
    if (state == "running")
      return {};
    return fresh_line() + paint("(" + state + ": " + text_of(d, "message") + ")",
                                state == "cancelled" ? yellow : dim)
           + "\n";
  }
  if (type == "error")
    return fresh_line()
           + paint("error " + text_of(d, "code") + ": " + text_of(d, "message"), red)
           + "\n";
  if (type == "interrupt") {
    auto kind = text_of(d, "kind");
    auto what = kind == "question" ? "the agent asks: " + text_of(d, "question")
                : kind == "takeover"
                  ? text_of(d, "reason")
                  : "approval needed (" + text_of(d, "rule") + "): " + text_of(d, "reason");
    return fresh_line() + paint("? " + what, yellow) + "\n";
  }
  if (type == "interrupt_resolved") {
    auto said = text_of(d, "decision") + " by " + text_of(d, "by");
    if (auto answer = text_of(d, "answer"); !answer.empty())
      said += ": " + answer;
    if (auto message = text_of(d, "message"); !message.empty())
      said += " (" + message + ")";
    return fresh_line() + paint("  decided: " + said, dim) + "\n";
  }
  if (type == "control")
    return fresh_line()
           + paint(text_of(d, "holder") == "user"
                     ? "(a person took over the browser; the agent waits)"
                     : "(the browser is the agent's again)",
                   dim)
           + "\n";
  if (type == "gap")
    return fresh_line()
           + paint("(" + std::to_string(number_of(d, "lost"))
                     + " earlier events were no longer held by the server)",
                   yellow)
           + "\n";
  if (type == "complete") {
    auto cancelled = flag_of(d, "cancelled", false);
    // A run whose last step failed says so, in red, whatever it answered.
    auto failed = text_of(d, "outcome") == "failed";
    std::string summary = cancelled ? "cancelled" : failed ? "failed" : "done";
    auto steps = number_of(d, "steps");
    summary += " · " + std::to_string(steps) + (steps == 1 ? " step · " : " steps · ")
               + std::to_string(number_of(d, "duration_ms")) + " ms";
    if (auto* usage = json_reader{d}.any("usage"))
      summary += " · " + std::to_string(number_of(*usage, "total_tokens"))
                 + " tokens";
    return fresh_line()
           + paint(summary, cancelled ? yellow
                            : failed  ? red
                                      : green)
           + "\n";
  }
  return {}; // start (for run), message, update, custom: the tokens and tools say it
}

} // namespace agenttheo::cli
