#include "browser/storage_state.hpp"

#include "browser/page_scripts.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

bool storage_state::has_page() const {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::optional<storage_state> read_page_state(std::string_view script_json) {
  json_document doc{script_json};
  if (!doc.parsed_object())
    return std::nullopt;
  json_reader page{doc};
  auto url = page.text("url");
  auto origin = page.text("origin");
  auto* entries = page.array("storage");
  if (!url || !origin || !entries)
    return std::nullopt;
  storage_state saved;
  saved.url = std::string{*url};
  saved.origin = std::string{*origin};
  json_writer kept;
  kept.begin_array();
  for (const auto& entry : entries->GetArray()) {
    if (!entry.IsArray() || entry.Size() != 2 || !entry[0].IsString()
        || !entry[1].IsString())
      continue;
    kept.begin_array()
      .value(std::string_view{entry[0].GetString(), entry[0].GetStringLength()})
      .value(std::string_view{entry[1].GetString(), entry[1].GetStringLength()})
      .end_array();
    ++saved.local_storage_count;
  }
  kept.end_array();
  saved.local_storage_json = kept.str();
  return saved;
}

void read_cookies(std::string_view get_cookies_result, storage_state& into) {
  json_document doc{get_cookies_result};
  json_reader result{doc};
  auto* cookies = doc.parsed_object() ? result.array("cookies") : nullptr;
  into.cookie_count = 0;
  into.cookies_json = "[]";
  if (!cookies)
    return;
  json_writer params;
  params.begin_array();
  for (const auto& c : cookies->GetArray()) {
    if (!c.IsObject())
      continue;
    json_reader cookie{c};
    auto name = cookie.text("name");
    auto value = cookie.text("value");
    auto domain = cookie.text("domain");
    if (!name || !value || !domain)
      continue;
    params.begin_object()
      .field("name", *name)
      .field("value", *value)
      .field("domain", *domain)
      .field("path", cookie.text("path").value_or("/"))
      .field("secure", cookie.boolean("secure").value_or(false))
      .field("httpOnly", cookie.boolean("httpOnly").value_or(false));
    if (auto same_site = cookie.text("sameSite"))
      params.field("sameSite", *same_site);
    // A session cookie has no expiry (CDP reports -1): it lives as long as
    // the context, which for the session goes on.
    auto expires = cookie.number("expires").value_or(-1);
    if (!cookie.boolean("session").value_or(false) && expires > 0)
      params.field("expires", expires);
    params.end_object();
    ++into.cookie_count;
  }
  params.end_array();
  into.cookies_json = params.str();
}

std::string restore_script_params(const storage_state& saved) {
  if (saved.local_storage_count == 0)
    return {};
  json_writer argument;
  argument.begin_object()
    .field("origin", saved.origin)
    .key("storage")
    .raw(saved.local_storage_json)
    .end_object();
  json_writer params;
  params.begin_object()
    .field("source", page_scripts::call(page_scripts::restore_storage,
                                        argument.str()))
    .end_object();
  return params.str();
}

std::string set_cookies_params(const storage_state& saved,
                               const std::string& context_id) {
  json_writer params;
  params.begin_object()
    .key("cookies")
    .raw(saved.cookies_json)
    .field("browserContextId", context_id)
    .end_object();
  return params.str();
}

std::string storage_state_to_json(const storage_state& state) {
  json_writer out;
  out.begin_object()
    .field("url", state.url)
    .field("origin", state.origin)
    .key("local_storage")
    .raw(state.local_storage_json)
    .key("cookies")
    .raw(state.cookies_json)
    .end_object();
  return out.str();
}

std::optional<storage_state> storage_state_from_json(std::string_view json) {
  json_document doc{json};
  if (!doc.parsed_object())
    return std::nullopt;
  json_reader saved{doc};
  auto* entries = saved.array("local_storage");
  auto* cookies = saved.array("cookies");
  if (!entries || !cookies)
    return std::nullopt;
  storage_state state;
  state.url = std::string{saved.text("url").value_or("")};
  state.origin = std::string{saved.text("origin").value_or("")};
  state.local_storage_json = to_json(*entries);
  state.local_storage_count = entries->Size();
  state.cookies_json = to_json(*cookies);
  state.cookie_count = cookies->Size();
  return state;
}

} // namespace agenttheo
