#include "browser/canonical_host.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/ascii.hpp"

namespace agenttheo {

namespace {

constexpr std::uint64_t number_cap = std::uint64_t{1} << 40;

/// The URL Standard's "IPv4 number parser": decimal, 0x hex (possibly
/// empty), or octal with a leading zero. Values past 2^40 are capped (any
/// of them is too big for an address anyway).
std::optional<std::uint64_t> ipv4_number(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  unsigned radix = 10;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    radix = 16;
  } else if (text.size() >= 2 && text[0] == '0') {
    text.remove_prefix(1);
    radix = 8;
  }
  std::uint64_t value = 0;
  for (char c : text) {
    auto digit = hex_digit_value(c);
    if (digit < 0 || static_cast<unsigned>(digit) >= radix)
      return std::nullopt;
    value = std::min(value * radix + static_cast<unsigned>(digit), number_cap);
  }
  return value;
}

std::vector<std::string_view> split_dots(std::string_view host) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto dot = host.find('.');
    parts.push_back(host.substr(0, dot));
    if (dot == std::string_view::npos)
      return parts;
    host.remove_prefix(dot + 1);
  }
}

/// Parts without the one empty label a trailing dot leaves.
std::vector<std::string_view> labels(std::string_view host) {
  auto parts = split_dots(host);
  if (parts.size() > 1 && parts.back().empty())
    parts.pop_back();
  return parts;
}

bool ends_in_a_number(std::string_view host) {
  auto parts = labels(host);
  auto last = parts.back();
  if (last.empty())
    return false;
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  return ipv4_number(last).has_value();
}

std::variant<canonical_host, std::string> parse_ipv4(std::string_view host) {
  auto parts = labels(host);
  auto bad = "not a valid IPv4 address: " + std::string{host};
  if (parts.size() > 4)
    return bad;
  std::vector<std::uint64_t> numbers;
  for (auto part : parts) {
    auto n = ipv4_number(part);
    if (!n)
      return bad;
    numbers.push_back(*n);
  }
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i)
    if (numbers[i] > 255)
      return bad;
  auto room = std::uint64_t{1} << (8 * (5 - numbers.size()));
  if (numbers.back() >= room)
    return bad;
  auto value = numbers.back();
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i)
    value += numbers[i] << (8 * (3 - i));
  auto address = ip_address::from_v4(static_cast<std::uint32_t>(value));
  return canonical_host{address.to_string(), address};
}

std::variant<canonical_host, std::string> parse_ipv6(std::string_view bracketed) {
  auto inner = bracketed.substr(1, bracketed.size() - 2);
  auto address = parse_ip_literal(inner);
  if (!address || !address->v6)
    return "not a valid IPv6 address: " + std::string{bracketed};
  return canonical_host{"[" + address->to_string() + "]", *address};
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
    auto low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : -1;
    if (text[i] == '%' && high >= 0 && low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// One code point from UTF-8 at `i`, or -1 if the bytes are not UTF-8.
long next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto lead = byte(i);
  int extra = lead < 0x80 ? 0 : (lead >> 5) == 6 ? 1 : (lead >> 4) == 14 ? 2
                              : (lead >> 3) == 30 ? 3 : -1;
  if (extra < 0 || i + extra >= s.size())
    return -1;
  long cp = extra == 0 ? lead : lead & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto b = byte(i + k);
    if ((b & 0xc0) != 0x80)
      return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr long smallest[] = {0, 0x80, 0x800, 0x10000};
  if (cp < smallest[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return -1;
  i += extra + 1;
  return cp;
}

void append_utf8(std::string& out, long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

/// Code points IDNA maps to nothing: a host may hide them between digits.
bool ignored_by_idna(long cp) {
  return cp == 0xad || cp == 0x34f || (cp >= 0x180b && cp <= 0x180f)
         || cp == 0x200b || cp == 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f)
         || cp == 0xfeff || (cp >= 0x1bca0 && cp <= 0x1bca3)
         || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/// The part of IDNA's mapping that can turn a host into an address or a
/// listed name: ASCII lower case, fullwidth ASCII, the ideographic full
/// stops, and the code points it ignores. Other non-ASCII text stays as it
/// is (Chromium turns it into punycode, which the egress proxy then sees).
std::optional<std::string> map_for_idna(std::string_view decoded) {
  std::string out;
  for (std::size_t i = 0; i < decoded.size();) {
    auto cp = next_code_point(decoded, i);
    if (cp < 0)
      return std::nullopt;
    if (ignored_by_idna(cp))
      continue;
    if (cp >= 0xff01 && cp <= 0xff5e)
      cp -= 0xfee0;
    if (cp == 0x3002 || cp == 0xff0e || cp == 0xff61)
      cp = '.';
    if (cp >= 'A' && cp <= 'Z')
      cp += 'a' - 'A';
    append_utf8(out, cp);
  }
  return out;
}

bool forbidden_in_domain(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || std::string_view{"#%/:<>?@[\\]^|"}.find(c)
                                    != std::string_view::npos;
}

bool is_special(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ws"
         || scheme == "wss" || scheme == "ftp";
}

/// The URL Standard strips leading and trailing C0 controls and spaces, and
/// every tab and newline anywhere.
std::string cleaned(std::string_view url) {
  auto is_c0_or_space = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!url.empty() && is_c0_or_space(url.front()))
    url.remove_prefix(1);
  while (!url.empty() && is_c0_or_space(url.back()))
    url.remove_suffix(1);
  std::string out;
  for (char c : url)
    if (c != '\t' && c != '\n' && c != '\r')
      out += c;
  return out;
}

} // namespace

std::variant<canonical_host, std::string> canonicalize_host(std::string_view raw) {
  if (raw.empty())
    return std::string{"the URL has no host"};
  if (raw.front() == '[') {
    if (raw.back() != ']')
      return "not a valid IPv6 address: " + std::string{raw};
    return parse_ipv6(raw);
  }
  auto mapped = map_for_idna(percent_decode(raw));
  if (!mapped)
    return "the host is not valid UTF-8: " + std::string{raw};
  if (mapped->empty())
    return std::string{"the URL has no host"};
  for (char c : *mapped)
    if (forbidden_in_domain(c))
      return "the host " + std::string{raw} + " has a character no host may have";
  if (ends_in_a_number(*mapped))
    return parse_ipv4(*mapped);
  return canonical_host{*mapped, std::nullopt};
}

std::uint16_t default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws")
    return 80;
  if (scheme == "https" || scheme == "wss")
    return 443;
  if (scheme == "ftp")
    return 21;
  return 0;
}

std::variant<url_target, std::string> parse_url_target(std::string_view input) {
  auto url = cleaned(input);
  auto colon = url.find(':');
  auto scheme_ok = colon != std::string::npos && colon > 0
                   && std::isalpha(static_cast<unsigned char>(url[0]))
                   && std::all_of(url.begin(), url.begin() + colon, [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c))
                               || c == '+' || c == '-' || c == '.';
                      });
  if (!scheme_ok)
    return "not an absolute URL: " + std::string{input};
  url_target target;
  target.scheme = ascii_lower(url.substr(0, colon));
  if (!is_special(target.scheme))
    return target;
  std::string_view rest{url};
  rest.remove_prefix(colon + 1);
  while (!rest.empty() && (rest.front() == '/' || rest.front() == '\\'))
    rest.remove_prefix(1);
  auto authority = rest.substr(0, rest.find_first_of("/\\?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (authority.empty())
    return std::string{"the URL has no host"};
  auto host_end = authority.front() == '[' ? authority.find(']') : 0;
  if (host_end == std::string_view::npos)
    return "not a valid IPv6 address in " + std::string{input};
  auto port_colon = authority.find(':', host_end);
  auto host = authority.substr(0, port_colon);
  auto canonical = canonicalize_host(host);
  if (auto* why = std::get_if<std::string>(&canonical))
    return *why;
  target.host = std::get<canonical_host>(std::move(canonical));
  target.port = default_port(target.scheme);
  if (port_colon != std::string_view::npos && port_colon + 1 < authority.size()) {
    auto digits = authority.substr(port_colon + 1);
    unsigned long value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9')
        return "not a valid port in " + std::string{input};
      value = std::min(value * 10 + static_cast<unsigned long>(c - '0'), 100'000ul);
    }
    if (value > 65535)
      return "not a valid port in " + std::string{input};
    target.port = static_cast<std::uint16_t>(value);
  }
  return target;
}

} // namespace agenttheo
