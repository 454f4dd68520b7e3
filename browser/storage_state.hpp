#pragma once

// What a session's page keeps while its browser context is lent to another
// session: where it was, its cookies, its origin's localStorage. Read from
// and written back to Chromium as CDP JSON.

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

struct storage_state {
  std::string url;
  std::string origin;
  /// `[[key, value], ...]` of `origin`'s localStorage.
  std::string local_storage_json = "[]";
  /// `Storage.setCookies`' `cookies`: an array of CookieParam.
  std::string cookies_json = "[]";
  std::size_t cookie_count = 0;
  std::size_t local_storage_count = 0;

  /// A page worth reopening: one that was on a web address.
  bool has_page() const;
};

/// The page's part (from the storage_state.js script's string), or nothing
/// when it is not what that script returns.
std::optional<storage_state> read_page_state(std::string_view script_json);

/// `Storage.getCookies`' result turned into `Storage.setCookies`' cookies
/// into `into`: the fields a cookie is set with, session cookies without
/// an expiry.
void read_cookies(std::string_view get_cookies_result, storage_state& into);

/// `Page.addScriptToEvaluateOnNewDocument`'s params putting the saved
/// localStorage back; empty when there is none.
std::string restore_script_params(const storage_state& saved);

/// The state as one JSON object, to keep it across a restart:
/// `{"url","origin","local_storage":[...],"cookies":[...]}`.
std::string storage_state_to_json(const storage_state& state);

/// What storage_state_to_json wrote, or nothing.
std::optional<storage_state> storage_state_from_json(std::string_view json);

/// `Storage.setCookies`' params for the context `context_id`.
std::string set_cookies_params(const storage_state& saved,
                               const std::string& context_id);

} // namespace agenttheo
