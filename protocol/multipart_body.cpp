#include "protocol/multipart_body.hpp"

#include "util/percent_encoding.hpp"
#include "util/ascii.hpp"

namespace agenttheo {

namespace {

constexpr std::size_t max_boundary = 70; // RFC 2046 §5.1.1

/// One `key=value` parameter of a header (`; filename="a b.txt"`),
/// starting at `at`; `at` ends past it.
struct header_param {
  std::string key;
  std::string value;
};

std::optional<header_param> next_param(std::string_view text, std::size_t& at) {
  while (at < text.size() && (text[at] == ';' || text[at] == ' ' || text[at] == '\t'))
    ++at;
  auto eq = text.find('=', at);
  if (at >= text.size() || eq == std::string_view::npos)
    return std::nullopt;
  header_param param{ascii_lower(trim_view(text.substr(at, eq - at))), {}};
  at = eq + 1;
  if (at < text.size() && text[at] == '"') {
    for (++at; at < text.size() && text[at] != '"'; ++at) {
      if (text[at] == '\\' && at + 1 < text.size())
        ++at;
      param.value += text[at];
    }
    ++at;
  } else {
    auto end = text.find(';', at);
    param.value = std::string{trim_view(text.substr(at, end - at))};
    at = end == std::string_view::npos ? text.size() : end;
  }
  return param;
}

/// A Content-Disposition's file name: `filename*` (RFC 8187, UTF-8) over
/// `filename`; nullopt when it names none.
std::optional<std::string> filename_of(std::string_view disposition) {
  auto semicolon = disposition.find(';');
  if (semicolon == std::string_view::npos)
    return std::nullopt;
  std::optional<std::string> plain;
  std::optional<std::string> extended;
  std::size_t at = semicolon;
  while (auto param = next_param(disposition, at)) {
    if (param->key == "filename")
      plain = param->value;
    else if (param->key == "filename*") {
      auto quote = param->value.find("''");
      if (quote != std::string::npos
          && iequals(param->value.substr(0, quote), "utf-8"))
        extended = percent_decode(std::string_view{param->value}.substr(quote + 2));
    }
  }
  return extended ? extended : plain;
}

/// The value of header `name` in a part's head, or empty.
std::string_view header_value(std::string_view head, std::string_view name) {
  std::size_t at = 0;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    auto line = head.substr(at, end - at);
    auto colon = line.find(':');
    if (colon != std::string_view::npos
        && iequals(trim_view(line.substr(0, colon)), name))
      return trim_view(line.substr(colon + 1));
    if (end == std::string_view::npos)
      break;
    at = end + 2;
  }
  return {};
}

} // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (!iequals(trim_view(content_type.substr(0, semicolon)),
                     "multipart/form-data")
      || semicolon == std::string_view::npos)
    return std::nullopt;
  std::size_t at = semicolon;
  while (auto param = next_param(content_type, at))
    if (param->key == "boundary") {
      if (param->value.empty() || param->value.size() > max_boundary)
        return std::nullopt;
      return param->value;
    }
  return std::nullopt;
}

std::variant<posted_file, std::string> first_posted_file(std::string_view body,
                                                         std::string_view boundary) {
  auto delimiter = "--" + std::string{boundary};
  auto at = body.find(delimiter);
  if (at == std::string_view::npos)
    return std::string{"the multipart body has no part"};
  auto next_delimiter = "\r\n" + delimiter;
  for (;;) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--")
      return std::string{"the multipart body has no part with a filename"};
    if (body.substr(at, 2) != "\r\n")
      return std::string{"a multipart delimiter is not followed by CRLF"};
    at += 2;
    std::string_view head;
    std::size_t data_at = at + 2;
    // A part with no header at all starts straight with its blank line.
    if (body.substr(at, 2) != "\r\n") {
      auto head_end = body.find("\r\n\r\n", at);
      if (head_end == std::string_view::npos)
        return std::string{"a multipart part's headers do not end"};
      head = body.substr(at, head_end - at);
      data_at = head_end + 4;
    }
    auto data_end = body.find(next_delimiter, data_at);
    if (data_end == std::string_view::npos)
      return std::string{"a multipart part does not end with the boundary"};
    if (auto name = filename_of(header_value(head, "Content-Disposition")))
      return posted_file{*name, body.substr(data_at, data_end - data_at)};
    at = data_end + 2;
  }
}

} // namespace agenttheo
