#include "util/secret.hpp"

#include <optional>
#include <set>

#include <rapidjson/document.h>

#include "util/ascii.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
         || c == '_' || c == '.' || c == '-';
}

/// A host entry: a name or address, maybe `*.` before it; no scheme,
/// port or path.
bool is_host_entry(std::string_view host) {
  if (host.rfind("*.", 0) == 0)
    host.remove_prefix(2);
  if (host.empty() || host.size() > 253)
    return false;
  for (char c : host)
    if (!(name_char(c) || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

} // namespace

bool is_secret_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (char c : name)
    if (!name_char(c))
      return false;
  return true;
}

namespace {

/// One entry's value and hosts, or what is wrong with them.
std::optional<std::string> read_secret(const rapidjson::Value& entry, secret& s) {
  auto where = "secret " + s.name + ": ";
  if (!entry.IsObject())
    return where + "must be an object with value and hosts";
  auto value = entry.FindMember("value");
  if (value == entry.MemberEnd() || !value->value.IsString())
    return where + "value must be a string";
  s.value.assign(value->value.GetString(), value->value.GetStringLength());
  if (s.value.size() < min_secret_bytes || s.value.size() > max_secret_bytes
      || !is_valid_utf8(s.value))
    return where + "value must be 4 to 4096 bytes of UTF-8";
  auto hosts = entry.FindMember("hosts");
  if (hosts == entry.MemberEnd() || !hosts->value.IsArray() || hosts->value.Empty())
    return where + "hosts must be a non-empty array of host names";
  for (const auto& h : hosts->value.GetArray()) {
    if (!h.IsString() || !is_host_entry({h.GetString(), h.GetStringLength()}))
      return where + "each host must be a host name, such as accounts.example.com "
                     "or *.example.com";
    s.hosts.push_back(ascii_lower({h.GetString(), h.GetStringLength()}));
  }
  return std::nullopt;
}

} // namespace

std::variant<secrets_patch, std::string> parse_secrets_patch(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return std::string{"secrets must be a JSON object: {\"name\": {\"value\": \"...\", "
                       "\"hosts\": [\"accounts.example.com\"]}}"};
  secrets_patch out;
  std::set<std::string> seen;
  for (const auto& m : doc.GetObject()) {
    secret s;
    s.name.assign(m.name.GetString(), m.name.GetStringLength());
    if (!is_secret_name(s.name))
      return std::string{"a secret's name must be 1 to 64 characters from A-Z a-z 0-9 "
                         "_ . -"};
    if (!seen.insert(s.name).second)
      return "secret " + s.name + ": named twice";
    if (m.value.IsNull()) {
      out.removed.push_back(std::move(s.name));
      continue;
    }
    if (auto wrong = read_secret(m.value, s))
      return *std::move(wrong);
    out.set.push_back(std::move(s));
  }
  return out;
}

std::variant<std::vector<secret>, std::string> parse_secrets(std::string_view json) {
  auto parsed = parse_secrets_patch(json);
  if (auto* wrong = std::get_if<std::string>(&parsed))
    return std::move(*wrong);
  auto& patch = std::get<secrets_patch>(parsed);
  if (!patch.removed.empty())
    return "secret " + patch.removed.front() + ": must be an object with value and hosts";
  return std::move(patch.set);
}

} // namespace agenttheo
