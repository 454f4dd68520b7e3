#include "actors/sink_roster.hpp"

#include <algorithm>
#include <utility>

#include "util/cache_warm.hpp"

namespace agenttheo {

namespace {

event_list share(std::vector<event_ptr> events) {
  return std::make_shared<const std::vector<event_ptr>>(std::move(events));
}

/// Hands `round` to each of `sinks`, the cache warmed ahead: at 1,000
/// subscribers each writer is cold when its turn comes (the socket calls in
/// between evict it), and its first touches were most of the lane's
/// user-space time. The sink two ahead has its first line fetched, the
/// next one (whose first line is in by then) what its write reads.
void deliver_to_each(const std::vector<std::shared_ptr<event_sink>>& sinks,
                     const round_ptr& round) {
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    if (i + 2 < sinks.size())
      warm_lines(sinks[i + 2].get());
    if (i + 1 < sinks.size())
      sinks[i + 1]->warm();
    sinks[i]->deliver_round(round);
  }
}

} // namespace

std::size_t sink_roster::group_of(event_sink& sink) {
  auto context = sink.io_context();
  for (std::size_t i = 0; i < groups_.size(); ++i)
    if (groups_[i].context == context)
      return i;
  context_group group{context, {}};
  // The first lane is the first subscriber's own (its socket's strand),
  // and the first subscriber joins it: a session with one subscriber there
  // reaches its socket with one strand hand-off a token.
  auto lanes = std::max(1u, sink.lanes());
  for (unsigned i = 0; i < lanes; ++i)
    group.shards.push_back(
      {i == 0 ? sink.make_own_lane() : sink.make_lane(), {}, nullptr});
  groups_.push_back(std::move(group));
  return groups_.size() - 1;
}

std::size_t sink_roster::least_loaded(const context_group& group) const {
  auto fewest = std::min_element(group.shards.begin(), group.shards.end(),
                                 [](const shard& a, const shard& b) {
                                   return a.members.size() < b.members.size();
                                 });
  return static_cast<std::size_t>(fewest - group.shards.begin());
}

sink_roster::shard& sink_roster::shard_at(const place& at) {
  return groups_[at.group].shards[at.shard];
}

void sink_roster::open(const caf::actor& subscriber, std::shared_ptr<event_sink> sink,
                       subscription_filter filter, std::vector<event_ptr> replay,
                       bool follow) {
  auto g = group_of(*sink);
  auto s = least_loaded(groups_[g]);
  auto& to = groups_[g].shards[s];
  to.lane->post([sink, lane = to.lane, filter = std::move(filter),
                 replay = share(std::move(replay)), final = !follow]() mutable {
    sink->open(std::move(lane), std::move(filter), std::move(replay), final);
  });
  if (!follow)
    return;
  // A subscriber follows once: opening again replaces what it followed.
  remove(subscriber.address());
  places_[subscriber.address().get()] = {g, s, to.members.size()};
  to.members.push_back({subscriber, std::move(sink)});
  to.snapshot = nullptr;
}

void sink_roster::remove(const caf::actor_addr& subscriber) {
  auto found = places_.find(subscriber.get());
  if (found == places_.end())
    return;
  auto at = found->second;
  places_.erase(found);
  auto& to = shard_at(at);
  auto& members = to.members;
  // Rounds reach a shard's members in any order: the last fills the gap.
  if (at.index + 1 != members.size()) {
    members[at.index] = std::move(members.back());
    places_[members[at.index].subscriber.address().get()].index = at.index;
  }
  members.pop_back();
  to.snapshot = nullptr;
}

sink_roster::sink_list sink_roster::snapshot_of(shard& to) {
  if (!to.snapshot) {
    std::vector<std::shared_ptr<event_sink>> sinks;
    sinks.reserve(to.members.size());
    for (const auto& m : to.members)
      sinks.push_back(m.sink);
    to.snapshot = std::make_shared<const std::vector<std::shared_ptr<event_sink>>>(
      std::move(sinks));
  }
  return to.snapshot;
}

void sink_roster::deliver(std::vector<event_ptr> events,
                          const fanout_round::ticket& round) {
  std::size_t lanes = 0;
  for (const auto& group : groups_)
    for (const auto& to : group.shards)
      lanes += !to.members.empty();
  // A round of one lane (a session's few subscribers, on one thread) may
  // be walked by the session's own job when it runs on that lane's thread:
  // one hop less for every token of a light session. Several lanes go to
  // their threads, calling those that wait for load to run: the session's
  // thread walking one of them, or one thread walking all, left the
  // fan-out's p99 behind (1,000 subscribers).
  auto alone = lanes == 1;
  for (auto& group : groups_)
    for (auto& to : group.shards) {
      if (to.members.empty())
        continue;
      // A round per lane: each of its sinks takes a reference to it, and
      // lanes walk on different threads, which would otherwise bounce the
      // one count between their caches once per subscriber. The last lane
      // takes the list itself (a session with one subscriber has one).
      auto own = --lanes == 0 ? std::move(events) : events;
      auto shared = std::make_shared<const sink_round>(
        sink_round{std::move(own), published_.last()});
      auto job = [sinks = snapshot_of(to), shared = std::move(shared), round] {
        deliver_to_each(*sinks, shared);
      };
      if (alone)
        to.lane->dispatch(std::move(job));
      else
        to.lane->spread(std::move(job));
    }
}

void sink_roster::publish(event_ptr ev) {
  published_.publish(std::move(ev));
}

void sink_roster::notify(const caf::actor& subscriber, event_ptr ev) {
  auto found = places_.find(subscriber.address().get());
  if (found == places_.end())
    return;
  auto& to = shard_at(found->second);
  const auto& m = to.members[found->second.index];
  to.lane->post([sink = m.sink, events = share({std::move(ev)})] {
    sink->deliver_notice(events);
  });
}

const void* sink_roster::busiest_context() const {
  const void* busiest = nullptr;
  std::size_t most = 0;
  for (const auto& group : groups_) {
    std::size_t members = 0;
    for (const auto& to : group.shards)
      members += to.members.size();
    if (members > most) {
      most = members;
      busiest = group.context;
    }
  }
  return busiest;
}

std::size_t sink_roster::size() const {
  return places_.size();
}

} // namespace agenttheo
