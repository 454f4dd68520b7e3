#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "messages/api_error.hpp"
#include "messages/rerun_script.hpp"

namespace agenttheo {

/// `POST /api/runs/{messageId}/rerun`, read: which run to repeat, where,
/// and what to do when the page is not where the recording was.
struct rerun_order {
  /// The recorded run.
  std::string of;
  /// The session to run in; empty: a new one.
  std::string session_id;
  /// The new run's messageId; empty: the server picks one.
  std::string message_id;
  rerun_fallback fallback = rerun_fallback::model;
  /// Who asked, for the per-client limits.
  std::string client;
};

/// Validates the body: `{"session"?, "messageId"?, "fallback"?: "model" |
/// "fail"}`, every field optional (an empty body is `{}`).
std::variant<rerun_order, api_error> parse_rerun_body(std::string_view body,
                                                      std::string of);

} // namespace agenttheo
