#pragma once

// The approval rules (`APPROVE`, `approve=`): which of the agent's actions
// wait for a person. A set of bits, so a run's rules add to the server's
// and never take any away. browser/approval_policy.hpp applies them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

using approval_mask = std::uint16_t;

namespace approval {
constexpr approval_mask all = 1;
constexpr approval_mask navigate = 2;
constexpr approval_mask new_host = 4;
constexpr approval_mask submit = 8;
constexpr approval_mask type_sensitive = 16;
constexpr approval_mask download = 32;
constexpr approval_mask upload = 64;
} // namespace approval

/// A comma list of `none`, `all`, `navigate`, `new_host`, `submit`,
/// `type_sensitive`, `download`, `upload`; nullopt names the bad word in
/// `bad_word` when given.
std::optional<approval_mask> parse_approval_policy(std::string_view text,
                                                   std::string* bad_word = nullptr);

/// The rules in `mask`, in the canonical order.
std::vector<std::string_view> approval_rule_names(approval_mask mask);

/// The canonical spelling (`navigate,submit`; `none` for no rule).
std::string approval_policy_to_string(approval_mask mask);

} // namespace agenttheo
