#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "messages/event.hpp"

namespace agenttheo {

/// A session's recent events, oldest first, bounded both in count and in
/// bytes. Ids increase: the session appends every event it stamps (one
/// restored from the store may skip an id it did not keep).
/// The newest event always stays, even if it alone exceeds the byte bound.
class event_log {
public:
  event_log(std::size_t max_events, std::size_t max_bytes);

  void append(event_ptr ev);

  bool empty() const {
    return events_.empty();
  }
  std::size_t size() const {
    return events_.size();
  }
  std::size_t bytes() const {
    return bytes_;
  }
  /// Id of the oldest event still held; 0 when empty.
  std::uint64_t first_id() const;
  /// Id of the newest event; 0 when empty.
  std::uint64_t last_id() const;

  /// Events with `from <= id <= to` that are still held, oldest first.
  std::vector<event_ptr> range(std::uint64_t from, std::uint64_t to) const;

private:
  void trim();

  std::deque<event_ptr> events_;
  std::size_t bytes_ = 0;
  std::size_t max_events_;
  std::size_t max_bytes_;
};

/// Where a run's events lie in the session's id sequence.
struct run_span {
  /// Empty: every run of the session (a whole-session stream).
  std::string_view message_id;
  std::uint64_t first_id = 0;
  /// Newest id of the run so far (equal to `first_id` once it started).
  std::uint64_t last_id = 0;
};

/// What a subscriber that has seen everything up to `after_id` gets next.
struct replay_plan {
  /// Ids of this run that were trimmed away: send a `gap` first.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> lost;
  std::vector<event_ptr> events;
};

/// Plans the replay of `run` after `after_id` for a subscriber with `mask`.
replay_plan plan_replay(const event_log& log, const run_span& run,
                        std::uint64_t after_id, mode_mask mask);

} // namespace agenttheo
