#include "browser/approval_policy.hpp"

#include <utility>

#include "util/ascii.hpp"
#include "util/json_reader.hpp"
#include "util/url_parts.hpp"

namespace agenttheo {

namespace {

bool contains_any(const std::string& text,
                  std::initializer_list<std::string_view> words) {
  for (auto word : words)
    if (text.find(word) != std::string::npos)
      return true;
  return false;
}

std::string arg(std::string_view args_json, const char* name) {
  json_document doc{args_json};
  return std::string{json_reader{doc}.text(name).value_or("")};
}

bool arg_flag(std::string_view args_json, const char* name) {
  json_document doc{args_json};
  return json_reader{doc}.boolean(name).value_or(false);
}

std::string on_host(std::string_view host) {
  return host.empty() ? std::string{} : " on " + std::string{host};
}

/// Where the action would take the page, if it navigates: a URL, or a
/// word for going back and reloading.
std::optional<std::string> navigation_of(const proposed_action& action) {
  if (action.tool == "navigate_to" || action.tool == "open_tab")
    return arg(action.args_json, "url");
  if (action.tool == "go_back" || action.tool == "reload")
    return std::string{};
  if (action.tool == "click" && action.target && !action.target->href.empty()
      && !action.target->download)
    return action.target->href;
  return std::nullopt;
}

std::string navigation_words(const proposed_action& action,
                             const std::string& url) {
  if (action.tool == "go_back")
    return "go back to the previous page";
  if (action.tool == "reload")
    return "reload the page" + on_host(action.page_host);
  if (action.tool == "click")
    return "follow the link " + action.target->label + " to " + url;
  return "open " + url;
}

std::optional<approval_need> sensitive_typing(const proposed_action& action) {
  if (action.tool != "type_text" || !action.target)
    return std::nullopt;
  auto kind = sensitive_field_kind(*action.target);
  if (kind.empty())
    return std::nullopt;
  return approval_need{"type_sensitive", "type into the " + kind + " field"
                                           + on_host(action.target->host)};
}

std::optional<approval_need> submission(const proposed_action& action) {
  const auto* target = action.target;
  if (!target || !target->found)
    return std::nullopt;
  auto where = on_host(target->host);
  if (action.tool == "click" && target->submits)
    return approval_need{"submit", "submit the form" + where + " by clicking "
                                     + target->label};
  auto enter = action.tool == "press_key"
                 ? arg(action.args_json, "key") == "Enter"
                 : action.tool == "type_text" && arg_flag(action.args_json, "submit");
  if (enter && target->in_form)
    return approval_need{"submit", "submit the form" + where + " by pressing "
                                     "Enter in " + target->label};
  return std::nullopt;
}

std::optional<approval_need> navigation(approval_mask mask,
                                        const proposed_action& action) {
  auto url = navigation_of(action);
  if (!url)
    return std::nullopt;
  auto host = host_of_url(*url);
  auto known = !action.visited_hosts || host.empty()
               || action.visited_hosts->count(host) != 0;
  if ((mask & approval::new_host) && !known)
    return approval_need{"new_host", navigation_words(action, *url) + " (" + host
                                       + " is a host this session has not "
                                         "visited)"};
  if (mask & approval::navigate)
    return approval_need{"navigate", navigation_words(action, *url)};
  return std::nullopt;
}

} // namespace

target_facts parse_target_facts(std::string_view json) {
  json_document doc{json};
  json_reader in{doc};
  auto text = [&](const char* name) {
    return std::string{in.text(name).value_or("")};
  };
  target_facts f;
  f.found = in.boolean("found").value_or(false);
  f.tag = ascii_lower(text("tag"));
  f.type = ascii_lower(text("type"));
  f.autocomplete = ascii_lower(text("autocomplete"));
  f.name = ascii_lower(text("name"));
  f.id = ascii_lower(text("id"));
  f.label = text("label");
  f.href = text("href");
  f.host = ascii_lower(text("host"));
  f.in_form = in.boolean("in_form").value_or(false);
  f.submits = in.boolean("submits").value_or(false);
  f.download = in.boolean("download").value_or(false);
  return f;
}

std::string sensitive_field_kind(const target_facts& field) {
  const auto& ac = field.autocomplete;
  auto names = field.name + " " + field.id;
  if (field.type == "password" || contains_any(ac, {"current-password", "new-password"}))
    return "password";
  if (contains_any(ac, {"cc-number", "cc-csc", "cc-exp"})
      || contains_any(names, {"card", "ccnum", "cc-num", "cc_num", "cvv", "cvc"}))
    return "card number";
  if (contains_any(ac, {"one-time-code"})
      || contains_any(names, {"otp", "one-time", "onetime", "2fa", "totp",
                              "verification-code", "verification_code"}))
    return "one-time code";
  return {};
}

bool needs_target_facts(approval_mask mask, std::string_view tool,
                        std::string_view args_json) {
  if (tool == "click")
    return mask & (approval::all | approval::navigate | approval::new_host
                   | approval::submit | approval::download);
  if (tool == "type_text")
    return (mask & (approval::all | approval::type_sensitive))
           || ((mask & approval::submit) && arg_flag(args_json, "submit"));
  if (tool == "press_key")
    return (mask & (approval::all | approval::submit))
           && arg(args_json, "key") == "Enter";
  // Only to name the element in the question.
  if (tool == "select_option" || tool == "hover")
    return mask & approval::all;
  return false;
}

std::optional<approval_need> approval_needed(approval_mask mask,
                                             const proposed_action& action) {
  if (mask & approval::type_sensitive)
    if (auto need = sensitive_typing(action))
      return need;
  if (mask & approval::submit)
    if (auto need = submission(action))
      return need;
  if ((mask & approval::download) && action.tool == "click" && action.target
      && action.target->download)
    return approval_need{"download", "download " + action.target->href
                                       + " by clicking " + action.target->label};
  if ((mask & approval::upload) && action.tool == "upload_file") {
    auto file = arg(action.args_json, "artifact");
    return approval_need{"upload", (file.empty() ? std::string{"upload a file"}
                                                 : "upload " + file)
                                     + on_host(action.page_host)};
  }
  if (auto need = navigation(mask, action))
    return need;
  if (mask & approval::all) {
    std::string what = std::string{action.tool};
    if (action.target && action.target->found)
      what += " on " + action.target->label;
    return approval_need{"all", "run " + what + on_host(action.page_host)};
  }
  return std::nullopt;
}

approval_mask rules_for_tool(std::string_view tool) {
  using namespace approval;
  if (tool == "ask_user" || tool == "request_takeover")
    return 0;
  if (tool == "navigate_to" || tool == "open_tab")
    return all | navigate | new_host;
  if (tool == "go_back" || tool == "reload")
    return all | navigate;
  if (tool == "click")
    return all | navigate | new_host | submit | download;
  if (tool == "type_text")
    return all | type_sensitive | submit;
  if (tool == "press_key")
    return all | submit;
  if (tool == "upload_file")
    return all | upload;
  return all;
}

std::string host_of_url(std::string_view url) {
  return ascii_lower(split_authority(url).host);
}

} // namespace agenttheo
