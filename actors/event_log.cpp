#include "actors/event_log.hpp"

#include <algorithm>

namespace agenttheo {

event_log::event_log(std::size_t max_events, std::size_t max_bytes)
  : max_events_(std::max<std::size_t>(max_events, 1)), max_bytes_(max_bytes) {
}

void event_log::append(event_ptr ev) {
  bytes_ += ev->footprint();
  events_.push_back(std::move(ev));
  trim();
}

void event_log::trim() {
  while (events_.size() > 1
         && (events_.size() > max_events_ || bytes_ > max_bytes_)) {
    bytes_ -= events_.front()->footprint();
    events_.pop_front();
  }
}

std::uint64_t event_log::first_id() const {
  return events_.empty() ? 0 : events_.front()->raw.id;
}

std::uint64_t event_log::last_id() const {
  return events_.empty() ? 0 : events_.back()->raw.id;
}

std::vector<event_ptr> event_log::range(std::uint64_t from,
                                        std::uint64_t to) const {
  std::vector<event_ptr> result;
  if (events_.empty() || to < from)
    return result;
  from = std::max(from, first_id());
  to = std::min(to, last_id());
  if (to < from)
    return result;
  // Ids increase; a log restored from the store may skip some (a clean
  // shutdown's `closed`), so ids are searched, not counted.
  auto by_id = [](const event_ptr& ev, std::uint64_t id) { return ev->raw.id < id; };
  auto begin = std::lower_bound(events_.begin(), events_.end(), from, by_id);
  auto end = std::lower_bound(begin, events_.end(), to + 1, by_id);
  result.assign(begin, end);
  return result;
}

replay_plan plan_replay(const event_log& log, const run_span& run,
                        std::uint64_t after_id, mode_mask mask) {
  replay_plan plan;
  // Nothing after the run's last event (and no `after_id + 1` to wrap
  // around to 0 for the largest id a client can send).
  if (after_id >= run.last_id)
    return plan;
  auto from = std::max(after_id + 1, run.first_id);
  if (from > run.last_id)
    return plan;
  auto held_from = log.empty() ? run.last_id + 1 : log.first_id();
  if (from < held_from)
    plan.lost.emplace(from, std::min(held_from - 1, run.last_id));
  for (auto& ev : log.range(from, run.last_id))
    if ((run.message_id.empty() || ev->raw.message_id == run.message_id)
        && wants(mask, ev->raw.type))
      plan.events.push_back(std::move(ev));
  return plan;
}

} // namespace agenttheo
