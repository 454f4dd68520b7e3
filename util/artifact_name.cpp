#include "util/artifact_name.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "util/ascii.hpp"
#include "util/percent_encoding.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

/// An extension this long or shorter is kept when a long name is cut.
constexpr std::size_t max_kept_extension = 16;

bool reserved(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f)
    return true;
  constexpr std::string_view set = "/\\<>:\"|?*";
  return set.find(c) != std::string_view::npos;
}

bool trimmed(char c) {
  return c == '.' || c == ' ';
}

/// Where `name`'s extension starts (its last dot, not the first byte), or
/// its size when it has none.
std::size_t extension_at(std::string_view name) {
  auto dot = name.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? name.size() : dot;
}

/// `name` cut to `max` bytes, its extension kept when it is short.
std::string cut(std::string name, std::size_t max) {
  if (name.size() <= max)
    return name;
  auto at = extension_at(name);
  auto ext = name.substr(at);
  if (ext.size() > max_kept_extension || ext.size() >= max)
    ext.clear();
  auto stem = utf8_prefix(std::string_view{name}.substr(0, at), max - ext.size());
  return std::string{stem} + ext;
}

std::string trim_dots_and_spaces(std::string_view text) {
  while (!text.empty() && trimmed(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && trimmed(text.back()))
    text.remove_suffix(1);
  return std::string{text};
}

} // namespace

std::string sanitize_artifact_name(std::string_view raw, std::string_view fallback) {
  auto slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos)
    raw.remove_prefix(slash + 1);
  auto name = to_valid_utf8(raw);
  for (auto& c : name)
    if (reserved(c))
      c = '_';
  name = trim_dots_and_spaces(cut(trim_dots_and_spaces(name), max_artifact_name));
  return name.empty() ? std::string{fallback} : name;
}

bool is_artifact_name(std::string_view name) {
  return !name.empty() && sanitize_artifact_name(name, "") == name;
}

std::string unique_artifact_name(const std::string& name,
                                 const std::function<bool(const std::string&)>& taken) {
  if (!taken(name))
    return name;
  auto at = extension_at(name);
  auto ext = name.substr(at);
  for (int n = 2; n < 10'000; ++n) {
    auto suffix = " (" + std::to_string(n) + ")" + ext;
    auto stem = utf8_prefix(std::string_view{name}.substr(0, at),
                            max_artifact_name - std::min(suffix.size(),
                                                         max_artifact_name));
    auto candidate = std::string{stem} + suffix;
    if (!taken(candidate))
      return candidate;
  }
  return {};
}

std::string artifact_url(std::string_view session, std::string_view name) {
  return "/api/sessions/" + percent_encode(session) + "/artifacts/"
         + percent_encode(name);
}

std::string_view artifact_mime(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22>
    types = {{
      {"txt", "text/plain"},        {"csv", "text/csv"},
      {"tsv", "text/tab-separated-values"},
      {"md", "text/markdown"},      {"html", "text/html"},
      {"htm", "text/html"},         {"json", "application/json"},
      {"xml", "application/xml"},   {"pdf", "application/pdf"},
      {"zip", "application/zip"},   {"gz", "application/gzip"},
      {"png", "image/png"},         {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},       {"gif", "image/gif"},
      {"webp", "image/webp"},       {"svg", "image/svg+xml"},
      {"mp3", "audio/mpeg"},        {"mp4", "video/mp4"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"ics", "text/calendar"},
    }};
  auto at = extension_at(name);
  if (at + 1 >= name.size())
    return "application/octet-stream";
  auto ext = ascii_lower(name.substr(at + 1));
  for (const auto& [known, mime] : types)
    if (ext == known)
      return mime;
  return "application/octet-stream";
}

} // namespace agenttheo
