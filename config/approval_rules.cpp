#include "config/approval_rules.hpp"

#include <array>
#include <utility>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

constexpr std::array<std::pair<std::string_view, approval_mask>, 7> rule_names = {{
  {"all", approval::all},
  {"navigate", approval::navigate},
  {"new_host", approval::new_host},
  {"submit", approval::submit},
  {"type_sensitive", approval::type_sensitive},
  {"download", approval::download},
  {"upload", approval::upload},
}};

} // namespace

std::optional<approval_mask> parse_approval_policy(std::string_view text,
                                                   std::string* bad_word) {
  approval_mask mask = 0;
  while (true) {
    auto comma = text.find(',');
    auto word = ascii_lower(trim_view(text.substr(0, comma)));
    if (!word.empty() && word != "none") {
      auto known = false;
      for (auto [name, bit] : rule_names)
        if (word == name) {
          mask |= bit;
          known = true;
        }
      if (!known) {
        if (bad_word)
          *bad_word = word;
        return std::nullopt;
      }
    }
    if (comma == std::string_view::npos)
      return mask;
    text.remove_prefix(comma + 1);
  }
}

std::vector<std::string_view> approval_rule_names(approval_mask mask) {
  std::vector<std::string_view> names;
  for (auto [name, bit] : rule_names)
    if (mask & bit)
      names.push_back(name);
  return names;
}

std::string approval_policy_to_string(approval_mask mask) {
  std::string out;
  for (auto name : approval_rule_names(mask))
    out += (out.empty() ? "" : ",") + std::string{name};
  return out.empty() ? "none" : out;
}

} // namespace agenttheo
