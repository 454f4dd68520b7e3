#pragma once

// A secret: a named value the model never sees. It writes `<secret:name>`
// (type_text) and the page gets the value, on the secret's hosts only
// (README, "Secrets").

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agenttheo {

struct secret {
  std::string name;
  std::string value;
  /// Host names it may be typed on: exact, or `*.example.com` for any
  /// subdomain of it. Lower case.
  std::vector<std::string> hosts;
};

/// Names are 1 to 64 characters from A-Z a-z 0-9 _ . -
bool is_secret_name(std::string_view name);

/// Values are 4 to 4096 bytes: a shorter one would be redacted wherever
/// its letters happen to appear.
inline constexpr std::size_t min_secret_bytes = 4;
inline constexpr std::size_t max_secret_bytes = 4096;

/// Most secrets one session may hold of its own (the server's do not
/// count): each is matched against every event the session sends.
inline constexpr std::size_t max_session_secrets = 64;

/// `{"name": {"value": "...", "hosts": ["accounts.example.com"]}, ...}`
/// (SECRETS_FILE): the secrets, or what is wrong, in words that never
/// include a value.
std::variant<std::vector<secret>, std::string> parse_secrets(std::string_view json);

/// A change to a session's secrets (`PATCH /api/sessions/{id}`): the same
/// shape, where `"name": null` removes that secret (a JSON merge patch).
struct secrets_patch {
  std::vector<secret> set;
  std::vector<std::string> removed;
};

std::variant<secrets_patch, std::string> parse_secrets_patch(std::string_view json);

} // namespace agenttheo
