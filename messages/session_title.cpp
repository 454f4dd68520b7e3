#include "messages/session_title.hpp"

#include "util/ascii.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::string title_from_command(std::string_view command, std::size_t max) {
  std::string line;
  bool gap = false;
  for (unsigned char c : trim_view(command)) {
    if (is_space(c)) {
      gap = true;
      continue;
    }
    if (gap && !line.empty())
      line += ' ';
    gap = false;
    line += static_cast<char>(c < 0x20 || c == 0x7F ? ' ' : c);
  }
  if (line.size() <= max)
    return line;
  auto cut = utf8_prefix(line, max);
  // At the last word boundary, unless that leaves too little.
  auto space = cut.rfind(' ');
  if (space != std::string_view::npos && space >= max / 2)
    cut = cut.substr(0, space);
  while (!cut.empty() && (cut.back() == ' ' || cut.back() == ',' || cut.back() == '.'))
    cut.remove_suffix(1);
  return std::string{cut} + "…";
}

std::optional<std::string> checked_title(std::string_view title, std::string& why) {
  auto trimmed = trim_view(title);
  if (trimmed.empty()) {
    why = "title must not be empty";
    return std::nullopt;
  }
  if (trimmed.size() > max_title_bytes) {
    why = "title must be at most " + std::to_string(max_title_bytes) + " bytes";
    return std::nullopt;
  }
  for (unsigned char c : trimmed)
    if (c < 0x20 || c == 0x7F) {
      why = "title must be one line without control characters";
      return std::nullopt;
    }
  return std::string{trimmed};
}

} // namespace agenttheo
