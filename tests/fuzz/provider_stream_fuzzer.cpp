// libFuzzer target: arbitrary bytes, split at arbitrary points, through the
// provider-stream SSE parser and the chat-completions delta assembler. Any
// crash, sanitizer report, or broken invariant is a finding; two of them:
// the parser gives the same events for the stream in pieces as byte by
// byte, and the assembler's one-pass reading of text-only chunks gives
// what reading every chunk whole gives.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "llm/delta_assembler.hpp"
#include "protocol/sse_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0)
    return 0;
  // The first byte picks the piece size, so the same stream is also tried
  // split across reads in many ways.
  std::size_t piece = (data[0] % 23) + 1;
  std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  agenttheo::sse_parser parser{4096};
  agenttheo::sse_parser bytewise{4096};
  std::vector<std::string> bytewise_events;
  agenttheo::delta_assembler assembler;
  agenttheo::delta_assembler read_whole;
  std::vector<std::string> events;
  std::string streamed;
  for (std::size_t pos = 0; pos < input.size(); pos += piece) {
    auto chunk = input.substr(pos, piece);
    auto ok = parser.feed(chunk, events);
    // Byte by byte, and through the callback the model's stream uses.
    auto bytewise_ok = true;
    auto take = [&](const agenttheo::sse_message& m) {
      bytewise_events.push_back(m.data);
    };
    for (char c : chunk)
      bytewise_ok = bytewise.feed(std::string_view{&c, 1}, take);
    if (ok != bytewise_ok || events != bytewise_events)
      std::abort(); // a line's bytes read apart read as they do together
    bytewise_events.clear();
    for (auto& payload : events) {
      if (payload.size() > 4096)
        std::abort(); // the parser's bound must hold
      auto out = assembler.on_data(payload);
      auto whole = read_whole.on_data_read_whole(payload);
      if (out.what != whole.what || out.content != whole.content
          || out.error != whole.error
          || assembler.finish_reason() != read_whole.finish_reason())
        std::abort(); // the fast reading differs from the document's
      streamed += out.content;
    }
    events.clear();
  }
  if (assembler.tool_calls().size() > 64)
    std::abort(); // the assembler's bound must hold
  if (streamed != assembler.content())
    std::abort(); // what streamed is what was assembled
  if (assembler.content() != read_whole.content()
      || assembler.usage().has_value() != read_whole.usage().has_value()
      || assembler.tool_calls().size() != read_whole.tool_calls().size())
    std::abort();
  return 0;
}
