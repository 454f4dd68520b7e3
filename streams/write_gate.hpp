#pragma once

#include <chrono>
#include <cstddef>

#include "streams/drain_signal.hpp"

namespace agenttheo {

/// When a stream's waiting frames go to its socket: the rule an SSE
/// connection and a WebSocket subscription share.
///
/// Frames wait while the socket still writes the previous batch, and go all
/// together in the next write once it reports `drained`: that is what makes
/// a busy socket's writes carry many events each, and keeps the backlog in
/// the actor, bounded. Past the socket's queue limit they go anyway (the
/// socket then drops the client as a slow consumer), and a stream that ends
/// hands over what it has. With a batch window (`batch_ms`) new frames also
/// wait for the window to close, except a stream's last.
class write_gate {
public:
  /// What the actor does after adding frames.
  enum class next { flush, start_window, wait };

  explicit write_gate(std::chrono::milliseconds window = {}) : window_(window) {
  }

  std::chrono::milliseconds window() const {
    return window_;
  }

  /// Frames of `bytes` joined the waiting ones.
  void add(std::size_t bytes) {
    pending_bytes_ += bytes;
  }

  /// After adding frames (`last`: the stream's last): flush now, or
  /// `start_window` (a flush when the window closes, asked once per
  /// window), or wait for the window already open.
  next release(bool last) {
    if (window_.count() == 0 || last)
      return next::flush;
    if (window_open_)
      return next::wait;
    window_open_ = true;
    return next::start_window;
  }

  /// A flush: whether the waiting frames go to the socket now (`now`: the
  /// stream ends). When true, the caller hands them over. Closes the window.
  bool open(std::size_t queue_limit, bool now = false) {
    window_open_ = false;
    if (pending_bytes_ == 0)
      return false; // nothing waits (no frame is empty)
    if (writer_busy_ && !now && pending_bytes_ <= queue_limit)
      return false;
    writer_busy_ = true;
    pending_bytes_ = 0;
    return true;
  }

  /// The socket wrote our last batch. True: flush now (no window is open).
  bool drained() {
    writer_busy_ = false;
    return !window_open_;
  }

private:
  std::chrono::milliseconds window_;
  std::size_t pending_bytes_ = 0;
  /// The socket has a batch of ours it has not finished writing.
  bool writer_busy_ = false;
  /// A flush is due when the batch window closes.
  bool window_open_ = false;
};

/// Whether the waiting frames go to the socket now (`now`: the stream
/// ends): the gate's rule, with the socket side's drain read from `drain`
/// (which wakes the actor later if it must wait). True: hand them over.
inline bool open_gate(write_gate& gate, drain_signal& drain,
                      std::size_t queue_limit, bool now) {
  if (drain.idle_or_wait())
    gate.drained();
  if (!gate.open(queue_limit, now))
    return false;
  drain.handed();
  return true;
}

/// What an actor does with its gate's answer after adding frames: `flush()`
/// now, or send itself `flush_message` when the batch window closes.
template <class Self, class Message, class Flush>
void release_frames(Self* self, write_gate& gate, bool last,
                    Message flush_message, Flush flush) {
  switch (gate.release(last)) {
    case write_gate::next::flush:
      return flush();
    case write_gate::next::start_window:
      self->delayed_send(self, gate.window(), flush_message);
      return;
    case write_gate::next::wait:
      return;
  }
}

} // namespace agenttheo
