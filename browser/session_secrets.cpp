#include "browser/session_secrets.hpp"

#include <algorithm>

namespace agenttheo {

namespace {

/// Retired values kept for redaction: enough for a session that rotates
/// its passwords now and then, bounded for one that rotates forever.
constexpr std::size_t max_retired = 256;

auto named(const std::string& name) {
  return [&name](const secret& s) { return s.name == name; };
}

void write_one(json_writer& out, const secret& s, const char* from) {
  out.begin_object().field("name", s.name).key("hosts").begin_array();
  for (const auto& host : s.hosts)
    out.value(host);
  out.end_array().field("from", from).end_object();
}

} // namespace

session_secrets::session_secrets(std::shared_ptr<const secret_vault> server)
    : server_(std::move(server)), vault_(server_) {
}

std::optional<std::string> session_secrets::apply(secrets_patch patch) {
  auto own = own_;
  auto retired = retired_;
  auto retire = [&](std::vector<secret>::iterator it) {
    retired.push_back(std::move(*it));
    own.erase(it);
  };
  for (const auto& name : patch.removed) {
    // As in a JSON merge patch, removing what is not there changes nothing.
    if (auto it = std::find_if(own.begin(), own.end(), named(name)); it != own.end())
      retire(it);
  }
  for (auto& s : patch.set) {
    if (auto it = std::find_if(own.begin(), own.end(), named(s.name)); it != own.end())
      retire(it);
    own.push_back(std::move(s));
  }
  if (own.size() > max_session_secrets)
    return "a session may hold at most " + std::to_string(max_session_secrets)
           + " secrets of its own";
  if (retired.size() > max_retired)
    retired.erase(retired.begin(), retired.end() - max_retired);
  own_ = std::move(own);
  retired_ = std::move(retired);
  rebuild();
  return std::nullopt;
}

void session_secrets::rebuild() {
  auto usable = own_;
  for (const auto& s : server_->secrets())
    if (std::none_of(own_.begin(), own_.end(), named(s.name)))
      usable.push_back(s);
  // The server's still redact where a session's of the same name hides them.
  auto retired = retired_;
  for (const auto& s : server_->secrets())
    if (std::any_of(own_.begin(), own_.end(), named(s.name)))
      retired.push_back(s);
  vault_ = std::make_shared<const secret_vault>(std::move(usable), std::move(retired));
}

void session_secrets::write_list(json_writer& out, const std::vector<secret>& own,
                                 const secret_vault& server) {
  out.begin_array();
  for (const auto& s : own)
    write_one(out, s, "session");
  for (const auto& s : server.secrets())
    if (std::none_of(own.begin(), own.end(), named(s.name)))
      write_one(out, s, "server");
  out.end_array();
}

} // namespace agenttheo
