// libFuzzer target: arbitrary bytes as a provider's HTTP response, read the
// way the plain-HTTP engine reads it (`streamed_response::parse` on a buffer
// of what came, the rest kept for the next read, then `end_of_stream`),
// split at arbitrary points. Any
// crash, sanitizer report, or broken invariant is a finding; above all, how
// the bytes were cut must not change what was parsed.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>

#include "http/streamed_response.hpp"

namespace {

/// What parsing `input` in pieces of `piece` bytes gave.
struct parsed {
  std::string body;
  long status = 0;
  bool done = false;
  bool failed = false;

  /// The same outcome: for a failed parse, which may be caught sooner
  /// with more bytes at hand, the same failure with the body up to it.
  bool operator==(const parsed& o) const {
    if (failed || o.failed) {
      auto common = std::min(body.size(), o.body.size());
      return failed == o.failed && body.compare(0, common, o.body, 0, common) == 0;
    }
    return body == o.body && status == o.status && done == o.done;
  }
};

parsed parse(std::string_view input, std::size_t piece) {
  agenttheo::http::streamed_response response;
  boost::beast::flat_buffer buffer;
  parsed out;
  auto take_body = [&] {
    out.body += response.body();
    response.clear_body();
  };
  for (std::size_t pos = 0; pos < input.size() && !out.done && !out.failed;
       pos += piece) {
    auto bytes = input.substr(pos, piece);
    auto room = buffer.prepare(bytes.size());
    std::memcpy(room.data(), bytes.data(), bytes.size());
    buffer.commit(bytes.size());
    boost::beast::error_code ec;
    response.parse(buffer, ec);
    take_body();
    out.failed = bool(ec);
    out.done = response.is_done();
  }
  // The connection's end, as the engine takes it: it completes a body
  // read to the end, else fails what is still open, however it was cut.
  if (!out.done && !out.failed && response.got_some()) {
    out.done = response.end_of_stream();
    take_body();
    out.failed = !out.done;
  }
  out.status = response.status();
  if (out.body.size() != response.body_bytes() || out.body.size() > input.size())
    std::abort(); // every body byte is handed over once, none invented
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  // The first byte picks the piece size; the whole input at once is the
  // reference the cut one must match.
  std::size_t piece = (data[0] % 23) + 1;
  std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  if (!(parse(input, piece) == parse(input, input.size() + 1)))
    std::abort();
  return 0;
}
