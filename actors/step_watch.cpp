#include "actors/step_watch.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include <rapidjson/document.h>

#include "util/ascii.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// How much of an action or a failure the model and the error are told.
constexpr std::size_t max_action_bytes = 200;
constexpr std::size_t max_failure_bytes = 300;
/// Actions a nudge lists as tried.
constexpr std::size_t tried_kept = 5;

void write_normalised(json_writer& out, const rapidjson::Value& v) {
  if (v.IsObject()) {
    std::vector<const rapidjson::Value::Member*> members;
    for (const auto& m : v.GetObject())
      members.push_back(&m);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) {
      return std::string_view{a->name.GetString(), a->name.GetStringLength()}
             < std::string_view{b->name.GetString(), b->name.GetStringLength()};
    });
    out.begin_object();
    for (const auto* m : members) {
      out.key({m->name.GetString(), m->name.GetStringLength()});
      write_normalised(out, m->value);
    }
    out.end_object();
  } else if (v.IsArray()) {
    out.begin_array();
    for (const auto& item : v.GetArray())
      write_normalised(out, item);
    out.end_array();
  } else if (v.IsString()) {
    out.value(collapse_spaces({v.GetString(), v.GetStringLength()}));
  } else if (v.IsBool()) {
    out.value(v.GetBool());
  } else if (v.IsInt64()) {
    out.value(v.GetInt64());
  } else if (v.IsUint64()) {
    out.value(v.GetUint64());
  } else if (v.IsNumber()) {
    out.value(v.GetDouble());
  } else {
    out.null();
  }
}

std::string shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max)
    return std::string{text};
  return std::string{utf8_prefix(text, max)} + "…";
}

} // namespace

std::string step_watch::normalised_input(std::string_view arguments_json) {
  rapidjson::Document doc;
  doc.Parse(arguments_json.data(), arguments_json.size());
  if (doc.HasParseError())
    return collapse_spaces(arguments_json);
  json_writer out;
  write_normalised(out, doc);
  return out.str();
}

step_watch::verdict step_watch::observe(const watched_call& call) {
  if (call.rejected)
    return verdict::go_on;
  auto action = std::string{call.tool} + " " + normalised_input(call.arguments_json);
  auto shown = shortened(action, max_action_bytes);
  // Only the last max_failures are kept (none when they end nothing).
  if (call.ok) {
    failures_.clear();
  } else if (limits_.max_failures > 0) {
    failures_.push_back(shown + ": " + shortened(call.output, max_failure_bytes));
    if (failures_.size() > limits_.max_failures)
      failures_.pop_front();
  }
  auto found = verdict::go_on;
  if (!call.page_digest.empty()) {
    auto key = std::hash<std::string>{}(action + '\n' + std::string{call.url} + '\n'
                                        + std::string{call.page_digest});
    auto count = ++seen_[key];
    auto known = std::find(tried_.begin(), tried_.end(), shown);
    if (known != tried_.end())
      tried_.erase(known);
    tried_.push_back(shown);
    if (tried_.size() > tried_kept)
      tried_.pop_front();
    if (limits_.loop_stop > 0 && count >= limits_.loop_stop)
      found = verdict::loop_detected;
    else if (limits_.loop_nudge > 0 && count == limits_.loop_nudge)
      found = verdict::nudge;
    if (found != verdict::go_on) {
      repeated_ = shown;
      repeats_ = count;
    }
  }
  if (!call.ok && limits_.max_failures > 0 && failures_.size() >= limits_.max_failures)
    found = std::max(found, verdict::too_many_failures);
  return found;
}

std::string step_watch::nudge_message(std::string_view url) const {
  std::string text = "You are repeating yourself: you have done `" + repeated_ + "` "
                     + std::to_string(repeats_) + " times";
  if (!url.empty())
    text += " on " + std::string{url};
  text += ", and the page was the same each time. What you tried lately:";
  for (const auto& action : tried_)
    text += "\n- " + action;
  text += "\nDo something different, or call `done` and say what stops you.";
  return text;
}

std::string step_watch::failure_summary() const {
  std::string text = std::to_string(failures_.size()) + " tool calls failed in a row:";
  for (const auto& line : failures_)
    text += "\n- " + line;
  return text;
}

} // namespace agenttheo
