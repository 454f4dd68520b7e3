#pragma once

// The bound on what waits behind one stream socket, shared by the SSE and
// WebSocket writers: backpressure in the type, as uWebSockets' SendStatus.

#include <cstddef>
#include <cstdint>

#include "metrics/actor_stats.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

/// What adding bytes to a socket's queue came to.
enum class send_status {
  /// Within the bound.
  queued,
  /// Past the bound, but alone in the queue: one item of any size may wait
  /// (events are bounded by the event log); a backlog may not.
  backpressure,
  /// Past the bound behind a backlog: the client is a slow consumer and is
  /// dropped.
  dropped,
};

/// The bytes waiting behind one socket against its limit, mirrored into the
/// socket's live counters (`queued_bytes`, `drops`).
class send_budget {
public:
  send_budget(std::size_t limit, actor_stats& stats)
    : limit_(limit), stats_(stats) {
  }

  std::size_t limit() const {
    return limit_;
  }

  std::size_t bytes() const {
    return bytes_;
  }

  /// `bytes` joined the queue, which now holds `items` items.
  send_status add(std::size_t bytes, std::size_t items);

  /// Whether `bytes` more would pass the limit: items that may be dropped
  /// on their own (live-view frames) ask before they join, and never count.
  bool would_exceed(std::size_t bytes) const {
    return bytes_ + bytes > limit_;
  }

  /// `bytes` left the queue for the socket.
  void take(std::size_t bytes);

  /// Everything left the queue (for the socket, or the socket closed).
  void clear();

  /// A write of `bytes` taken from the queue started; until it ends they
  /// still wait behind the socket (a stalled client's are there for good),
  /// so the live counter keeps them. The limit is on the queue alone: one
  /// write of any size may be under way.
  void writing(std::size_t bytes);

  /// The write under way ended (written, or failed).
  void written();

  /// A slow consumer was dropped, or a droppable item: counted here and in
  /// the process totals under `total`.
  void count_drop(counter total);

private:
  void mirror();

  std::size_t limit_;
  std::size_t bytes_ = 0;
  std::size_t writing_ = 0;
  actor_stats& stats_;
};

/// What one write carried, into the socket's counters and the process's:
/// bytes, and events (heartbeats and live-view frames are not events).
void count_sent(actor_stats& stats, std::size_t bytes, std::uint64_t events);

} // namespace agenttheo
