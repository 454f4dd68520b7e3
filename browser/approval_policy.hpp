#pragma once

// Which of the agent's actions wait for a person's approval (`APPROVE`,
// `approve=`): a set of rules, checked by the session before a tool runs,
// whatever the model was told or tricked into. Rules that depend on the
// element an action targets (is it a password field? does it submit a
// form?) read facts the page reports about that element first.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "config/approval_rules.hpp"

namespace agenttheo {

/// What the page says about the element an action would act on (the
/// `inspect_target` script's answer).
struct target_facts {
  bool found = false;
  std::string tag;
  std::string type;
  std::string autocomplete;
  std::string name;
  std::string id;
  /// The element in words (`button "Pay"`).
  std::string label;
  /// A link's absolute URL.
  std::string href;
  /// The page's host.
  std::string host;
  bool in_form = false;
  /// Clicking it (or Enter in it) submits its form.
  bool submits = false;
  /// A link with a `download` attribute.
  bool download = false;
};

target_facts parse_target_facts(std::string_view json);

/// "password", "card number", "one-time code", or empty: the secret a field
/// holds, judged from its type, autocomplete and name, as browsers' own
/// password managers and autofill do.
std::string sensitive_field_kind(const target_facts& field);

/// Whether checking `tool` under `mask` needs the target's facts first.
bool needs_target_facts(approval_mask mask, std::string_view tool,
                        std::string_view args_json);

/// What an action would do, for the rules to judge.
struct proposed_action {
  std::string_view tool;
  std::string_view args_json;
  /// The host of the page the session's browser shows now.
  std::string_view page_host;
  /// Hosts this session has loaded pages from.
  const std::set<std::string>* visited_hosts = nullptr;
  /// The targeted element, when needs_target_facts said so.
  const target_facts* target = nullptr;
};

/// Why an action needs approval: the rule that matched and the action in
/// plain words ("type into the password field on accounts.example.com").
struct approval_need {
  std::string rule;
  std::string reason;
};

std::optional<approval_need> approval_needed(approval_mask mask,
                                             const proposed_action& action);

/// The rules that can make `tool` wait for approval (`all` included; none
/// for the tools that are themselves a question to a person).
approval_mask rules_for_tool(std::string_view tool);

/// The host of a URL, lower-cased (empty when it has none).
std::string host_of_url(std::string_view url);

} // namespace agenttheo
