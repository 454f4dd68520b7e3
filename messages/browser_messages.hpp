#pragma once

// What the browser, page and tool-call actors send each other: a CDP reply,
// a session's page, a tool call and its result.

#include <string>

#include <caf/meta/type_name.hpp>

namespace agenttheo {

/// The outcome of one CDP request: the `result` object, or why not.
struct cdp_result {
  bool ok = false;
  /// The result's JSON when ok, else a sentence for people.
  std::string body;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cdp_result& x) {
  return f(caf::meta::type_name("cdp_result"), x.ok, x.body);
}

/// A session's own page: its browser context (cookies and storage apart from
/// every other session's), its target, and the CDP session attached to that
/// target (`cdp_target`, CDP's `sessionId`).
struct page_handle {
  bool ok = false;
  std::string error;
  std::string context_id;
  std::string target_id;
  std::string cdp_target;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, page_handle& x) {
  return f(caf::meta::type_name("page_handle"), x.ok, x.error, x.context_id,
           x.target_id, x.cdp_target);
}

/// One tool invocation, as the model asked for it, or (`internal`) a look
/// the session takes at the page itself, which the model cannot call:
/// `inspect_target` (what an action would act on) and `where` (URL and
/// title), each answering JSON.
struct tool_request {
  std::string name;
  std::string arguments_json;
  bool internal = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_request& x) {
  return f(caf::meta::type_name("tool_request"), x.name, x.arguments_json,
           x.internal);
}

/// What a tool did: its output for the model (bounded), and a screenshot
/// when it took one.
struct tool_result {
  bool ok = false;
  std::string output;
  std::string image_base64;
  std::string url;
  /// For programs, when it failed for a known cause: the browser's own code
  /// (`net::ERR_CONNECTION_REFUSED`); `output` says it in words.
  std::string error_code;
  /// The session's tab it ran in (0: none, a look the session took).
  std::uint32_t tab = 0;
  /// The page after it (browser/scripts/page_digest.js): what loop
  /// detection compares. Empty: no page tool.
  std::string page_digest;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_result& x) {
  return f(caf::meta::type_name("tool_result"), x.ok, x.output, x.image_base64,
           x.url, x.error_code, x.tab, x.page_digest);
}

} // namespace agenttheo
