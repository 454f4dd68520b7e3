#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// One complete SSE event: its `event:` name (empty: "message"), its `id:`
/// if it had one, and its data lines joined with LF.
struct sse_message {
  std::string event;
  std::string id;
  bool has_id = false;
  std::string data;
};

/// An incremental Server-Sent Events parser for what providers stream back:
/// bytes may be split anywhere, lines end in LF, CRLF or CR, `:` lines are
/// comments, and an event's `data:` lines join with LF. Lines longer than
/// `max_line` put the parser in a failed state (a hostile or broken peer
/// must not grow memory without bound).
class sse_parser {
public:
  explicit sse_parser(std::size_t max_line = 1u << 20);

  /// Consumes `bytes`; appends each event completed by them. Returns false
  /// once the parser has failed.
  bool feed(std::string_view bytes, std::vector<sse_message>& events);

  /// The same, keeping only each event's data (all chat completions use).
  bool feed(std::string_view bytes, std::vector<std::string>& events);

  /// The same, handing each event to `on_event` as it completes, valid for
  /// the call: nothing is copied, and the parser keeps its buffers' room
  /// for the next event (a token's read allocates nothing here).
  bool feed(std::string_view bytes,
            const std::function<void(const sse_message&)>& on_event);

  bool failed() const {
    return failed_;
  }

private:
  template <class Emit>
  bool feed_lines(std::string_view bytes, Emit&& emit);
  template <class Emit>
  void on_line(std::string_view line, Emit& emit);

  std::size_t max_line_;
  std::string line_;
  sse_message current_;
  bool has_data_ = false;
  bool after_cr_ = false;
  bool failed_ = false;
};

} // namespace agenttheo
