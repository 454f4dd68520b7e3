#include "actors/sink_roster.hpp"

#include <algorithm>
#include <utility>

namespace agenttheo {

namespace {

event_list share(std::vector<event_ptr> events) {
  return std::make_shared<const std::vector<event_ptr>>(std::move(events));
}

} // namespace

sink_roster::context_group& sink_roster::group_of(event_sink& sink) {
  auto context = sink.io_context();
  for (auto& group : groups_)
    if (group.context == context)
      return group;
  context_group group{context, {}};
  auto lanes = std::max(1u, sink.lanes());
  for (unsigned i = 0; i < lanes; ++i)
    group.shards.push_back({sink.make_lane(), {}, nullptr});
  groups_.push_back(std::move(group));
  return groups_.back();
}

sink_roster::shard& sink_roster::least_loaded(context_group& group) {
  return *std::min_element(group.shards.begin(), group.shards.end(),
                           [](const shard& a, const shard& b) {
                             return a.members.size() < b.members.size();
                           });
}

void sink_roster::open(const caf::actor& subscriber, std::shared_ptr<event_sink> sink,
                       subscription_filter filter, std::vector<event_ptr> replay,
                       bool follow) {
  auto& to = least_loaded(group_of(*sink));
  to.lane->post([sink, lane = to.lane, filter = std::move(filter),
                 replay = share(std::move(replay)), final = !follow]() mutable {
    sink->open(std::move(lane), std::move(filter), std::move(replay), final);
  });
  if (!follow)
    return;
  to.members.push_back({subscriber, std::move(sink)});
  to.snapshot = nullptr;
}

void sink_roster::remove(const caf::actor_addr& subscriber) {
  for (auto& group : groups_)
    for (auto& to : group.shards) {
      auto& members = to.members;
      auto gone = std::remove_if(members.begin(), members.end(), [&](const member& m) {
        return m.subscriber.address() == subscriber;
      });
      if (gone == members.end())
        continue;
      members.erase(gone, members.end());
      to.snapshot = nullptr;
    }
}

const sink_roster::member* sink_roster::find(const caf::actor& subscriber,
                                             shard** found) {
  for (auto& group : groups_)
    for (auto& to : group.shards)
      for (const auto& m : to.members)
        if (m.subscriber == subscriber) {
          *found = &to;
          return &m;
        }
  return nullptr;
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
  event_list shared;
  for (auto& group : groups_)
    for (auto& to : group.shards) {
      if (to.members.empty())
        continue;
      if (!shared)
        shared = share(std::move(events));
      to.lane->post([sinks = snapshot_of(to), shared, round] {
        for (const auto& sink : *sinks)
          sink->deliver_round(shared);
      });
    }
}

void sink_roster::notify(const caf::actor& subscriber, event_ptr ev) {
  shard* to = nullptr;
  auto* m = find(subscriber, &to);
  if (!m)
    return;
  to->lane->post([sink = m->sink, events = share({std::move(ev)})] {
    sink->deliver_notice(events);
  });
}

std::size_t sink_roster::size() const {
  std::size_t n = 0;
  for (const auto& group : groups_)
    for (const auto& to : group.shards)
      n += to.members.size();
  return n;
}

} // namespace agenttheo
