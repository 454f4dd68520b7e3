#include "llm/content_chunk_scan.hpp"

#include <cstdint>
#include <cstring>
#include <utility>

namespace agenttheo {

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

/// The high bit of each byte of `word` below `limit` (at most 128); exact
/// for the lowest such byte, which is all `first_special` reads.
std::uint64_t bytes_below(std::uint64_t word, unsigned char limit) {
  return (word - ones * limit) & ~word & highs;
}

std::uint64_t bytes_equal(std::uint64_t word, unsigned char c) {
  return bytes_below(word ^ (ones * c), 1);
}

/// The first `"`, `\` or control character from `c`, else `end`: eight
/// bytes a step (a byte at a time was half the scan).
const char* first_special(const char* c, const char* end) {
  for (; end - c >= 8; c += 8) {
    std::uint64_t word;
    std::memcpy(&word, c, 8);
    auto found = bytes_equal(word, '"') | bytes_equal(word, '\\')
                 | bytes_below(word, 0x20);
    if (found)
      return c + __builtin_ctzll(found) / 8; // little-endian: lowest first
  }
  for (; c != end; ++c)
    if (*c == '"' || *c == '\\' || static_cast<unsigned char>(*c) < 0x20)
      return c;
  return end;
}

/// A cursor over the chunk; every `read_*` returns false on what it does
/// not take, and the whole scan gives up.
class chunk_scanner {
public:
  explicit chunk_scanner(std::string_view json)
      : at_(json.data()), end_(json.data() + json.size()) {}

  bool read_chunk(content_chunk& out) {
    bool seen_choices = false;
    return read_object([&](std::string_view key) {
             if (key == "error")
               return false; // the assembler reads errors
             if (key != "choices")
               return read_scalar();
             return !std::exchange(seen_choices, true) && read_choices(out);
           })
           && at_end();
  }

private:
  bool read_choices(content_chunk& out) {
    if (!take('['))
      return false;
    if (take(']'))
      return true;
    do {
      if (!read_choice(out))
        return false;
    } while (take(','));
    return take(']');
  }

  bool read_choice(content_chunk& out) {
    bool seen_delta = false;
    bool seen_finish = false;
    return read_object([&](std::string_view key) {
      if (key == "delta")
        return !std::exchange(seen_delta, true) && read_delta(out);
      if (key != "finish_reason")
        return read_scalar();
      return read_text_once(seen_finish, [&](std::string_view reason) {
        out.finish_reason.emplace(reason);
      });
    });
  }

  bool read_delta(content_chunk& out) {
    bool seen_content = false;
    bool seen_tool_calls = false;
    return read_object([&](std::string_view key) {
      if (key == "tool_calls")
        return !std::exchange(seen_tool_calls, true) && take_word("null");
      if (key != "content")
        return read_scalar();
      return read_text_once(
        seen_content, [&](std::string_view text) { out.content.append(text); });
    });
  }

  /// A member's string or null, the first time its key comes (a repeated
  /// key is the reader's): `take(text)` for a string.
  template <class Take>
  bool read_text_once(bool& seen, Take take) {
    if (std::exchange(seen, true))
      return false;
    if (take_word("null"))
      return true;
    std::string_view text;
    if (!read_string(text))
      return false;
    take(text);
    return true;
  }

  /// `{`, then `"key": value` pairs, each value read by `member(key)`.
  template <class Member>
  bool read_object(Member member) {
    if (!take('{'))
      return false;
    if (take('}'))
      return true;
    do {
      std::string_view key;
      if (!read_string(key) || !take(':') || !member(key))
        return false;
    } while (take(','));
    return take('}');
  }

  /// A string, an integer or a literal. Told apart by the first byte: a
  /// string that fails has taken its quote, and what follows must not be
  /// read as another kind of scalar.
  bool read_scalar() {
    skip_space();
    if (at_ != end_ && *at_ == '"') {
      std::string_view ignored;
      return read_string(ignored);
    }
    return read_integer() || take_word("null") || take_word("true")
           || take_word("false");
  }

  /// A string with no escape and no control character, as it lies.
  bool read_string(std::string_view& out) {
    if (!take('"'))
      return false;
    const char* start = at_;
    const char* c = first_special(start, end_);
    if (c == end_ || *c != '"')
      return false; // an escape, a control character, or no end
    out = {start, static_cast<std::size_t>(c - start)};
    at_ = c + 1;
    return true;
  }

  /// -?(0|[1-9][0-9]*), at most 18 digits: what any reader takes as an
  /// integer.
  bool read_integer() {
    skip_space();
    const char* c = at_;
    if (c != end_ && *c == '-')
      ++c;
    const char* digits = c;
    while (c != end_ && *c >= '0' && *c <= '9')
      ++c;
    auto count = c - digits;
    if (count == 0 || count > 18 || (count > 1 && *digits == '0'))
      return false;
    if (c != end_ && (*c == '.' || *c == 'e' || *c == 'E'))
      return false; // a fraction or an exponent: the reader's to judge
    at_ = c;
    return true;
  }

  bool take_word(std::string_view word) {
    skip_space();
    if (static_cast<std::size_t>(end_ - at_) < word.size()
        || std::string_view{at_, word.size()} != word)
      return false;
    at_ += word.size();
    return true;
  }

  bool take(char c) {
    skip_space();
    if (at_ == end_ || *at_ != c)
      return false;
    ++at_;
    return true;
  }

  bool at_end() {
    skip_space();
    return at_ == end_;
  }

  void skip_space() {
    // Most chunks have no space between their tokens.
    if (at_ != end_ && static_cast<unsigned char>(*at_) > ' ')
      return;
    while (at_ != end_
           && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t'))
      ++at_;
  }

  const char* at_;
  const char* end_;
};

} // namespace

std::optional<content_chunk> scan_content_chunk(std::string_view json) {
  content_chunk chunk;
  if (!chunk_scanner{json}.read_chunk(chunk))
    return std::nullopt;
  return chunk;
}

} // namespace agenttheo
