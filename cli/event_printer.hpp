#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agenttheo::cli {

/// Turns a run's events into what a person reads in a terminal: tokens as
/// they come, a progress bar per step, one compact line per tool call,
/// status and errors in words. With `color`, ANSI colours (for a terminal);
/// without, plain text (for a pipe). With `json`, one envelope per line.
class event_printer {
public:
  struct options {
    bool color = false;
    bool json = false;
    /// Print each run's command as it starts (`watch`: the runs are other
    /// people's; `run` typed its own).
    bool commands = false;
  };

  explicit event_printer(options opts) : opts_(opts) {
  }

  /// The text for one event (may be empty); `data` is its JSON payload.
  std::string render(std::string_view type, std::uint64_t id, bool has_id,
                     std::string_view data);

  /// A line of the viewer's own (reconnecting, cancelling), in its style.
  std::string note(std::string_view text);

private:
  /// Starts a new line unless the output is at one already.
  std::string fresh_line();

  std::string paint(std::string_view text, const char* code) const;

  options opts_;
  bool at_line_start_ = true;
};

} // namespace agenttheo::cli
