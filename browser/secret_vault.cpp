#include "browser/secret_vault.hpp"

#include <algorithm>

#include "util/ascii.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr std::string_view open_mark = "<secret:";

std::string placeholder(std::string_view name) {
  return std::string{open_mark} + std::string{name} + ">";
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

void longest_first(std::vector<std::pair<std::string, std::string>>& pairs) {
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return a.first.size() > b.first.size();
  });
}

} // namespace

secret_vault::secret_vault(std::vector<secret> secrets, std::vector<secret> retired)
    : secrets_(std::move(secrets)) {
  auto redacts = [this](const secret& s) {
    plain_.emplace_back(s.value, placeholder(s.name));
    json_writer quoted;
    quoted.value(s.value);
    auto escaped = quoted.str().substr(1, quoted.str().size() - 2);
    if (escaped != s.value)
      escaped_.emplace_back(std::move(escaped), placeholder(s.name));
  };
  for (const auto& s : secrets_)
    redacts(s);
  for (const auto& s : retired)
    redacts(s);
  longest_first(plain_);
  longest_first(escaped_);
}

bool secret_vault::has_placeholder(std::string_view text) {
  return text.find(open_mark) != std::string_view::npos;
}

bool secret_vault::host_allowed(const secret& s, std::string_view host) {
  auto lower = ascii_lower(host);
  for (const auto& allowed : s.hosts) {
    if (allowed == lower)
      return true;
    // `*.example.com`: any name below example.com, not example.com itself.
    if (allowed.rfind("*.", 0) == 0) {
      auto suffix = std::string_view{allowed}.substr(1);
      if (lower.size() > suffix.size()
          && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
    }
  }
  return false;
}

secret_fill secret_vault::fill(std::string_view text, std::string_view host) const {
  std::string out;
  std::size_t at = 0;
  for (auto mark = text.find(open_mark); mark != std::string_view::npos;
       mark = text.find(open_mark, at)) {
    auto close = text.find('>', mark);
    if (close == std::string_view::npos)
      break;
    auto name = text.substr(mark + open_mark.size(), close - mark - open_mark.size());
    auto found = std::find_if(secrets_.begin(), secrets_.end(),
                              [&](const secret& s) { return s.name == name; });
    if (found == secrets_.end())
      return {false, "there is no secret named " + std::string{name}};
    if (!host_allowed(*found, host))
      return {false, "secret " + found->name + " not allowed on this host ("
                       + std::string{host} + ")"};
    out.append(text.substr(at, mark - at)).append(found->value);
    at = close + 1;
  }
  out.append(text.substr(at));
  return {true, std::move(out)};
}

std::string secret_vault::redact(std::string_view text) const {
  std::string out{text};
  for (const auto& [value, mark] : plain_)
    replace_all(out, value, mark);
  return out;
}

bool secret_vault::holds_value(std::string_view text) const {
  return std::any_of(plain_.begin(), plain_.end(), [&](const auto& pair) {
    return text.find(pair.first) != std::string_view::npos;
  });
}

std::string secret_vault::redact_json(std::string_view json) const {
  auto out = redact(json);
  for (const auto& [value, mark] : escaped_)
    replace_all(out, value, mark);
  return out;
}

std::string secret_vault::prompt_lines() const {
  std::string out;
  for (const auto& s : secrets_) {
    out += "\n- " + placeholder(s.name) + " (on ";
    for (std::size_t i = 0; i < s.hosts.size(); ++i)
      out += (i ? ", " : "") + s.hosts[i];
    out += ")";
  }
  return out;
}

} // namespace agenttheo
