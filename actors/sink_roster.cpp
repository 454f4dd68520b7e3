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
  groups_.push_back({context, sink.make_lane(), {}, nullptr});
  return groups_.back();
}

void sink_roster::open(const caf::actor& subscriber, std::shared_ptr<event_sink> sink,
                       subscription_filter filter, std::vector<event_ptr> replay,
                       bool follow) {
  auto& group = group_of(*sink);
  group.lane->post([sink, lane = group.lane, filter = std::move(filter),
                    replay = share(std::move(replay)), final = !follow]() mutable {
    sink->open(std::move(lane), std::move(filter), std::move(replay), final);
  });
  if (!follow)
    return;
  group.members.push_back({subscriber, std::move(sink)});
  group.snapshot = nullptr;
}

void sink_roster::remove(const caf::actor_addr& subscriber) {
  for (auto& group : groups_) {
    auto& members = group.members;
    auto gone = std::remove_if(members.begin(), members.end(), [&](const member& m) {
      return m.subscriber.address() == subscriber;
    });
    if (gone == members.end())
      continue;
    members.erase(gone, members.end());
    group.snapshot = nullptr;
  }
}

const sink_roster::member* sink_roster::find(const caf::actor& subscriber,
                                             context_group** group) {
  for (auto& g : groups_)
    for (const auto& m : g.members)
      if (m.subscriber == subscriber) {
        *group = &g;
        return &m;
      }
  return nullptr;
}

void sink_roster::deliver(std::vector<event_ptr> events,
                          const fanout_round::ticket& round) {
  event_list shared;
  for (auto& group : groups_) {
    if (group.members.empty())
      continue;
    if (!group.snapshot) {
      std::vector<std::shared_ptr<event_sink>> sinks;
      sinks.reserve(group.members.size());
      for (const auto& m : group.members)
        sinks.push_back(m.sink);
      group.snapshot = std::make_shared<const std::vector<std::shared_ptr<event_sink>>>(
        std::move(sinks));
    }
    if (!shared)
      shared = share(std::move(events));
    group.lane->post([sinks = group.snapshot, shared, round] {
      for (const auto& sink : *sinks)
        sink->deliver_round(shared);
    });
  }
}

void sink_roster::notify(const caf::actor& subscriber, event_ptr ev) {
  context_group* group = nullptr;
  auto* m = find(subscriber, &group);
  if (!m)
    return;
  group->lane->post([sink = m->sink, events = share({std::move(ev)})] {
    sink->deliver_notice(events);
  });
}

std::size_t sink_roster::size() const {
  std::size_t n = 0;
  for (const auto& group : groups_)
    n += group.members.size();
  return n;
}

} // namespace agenttheo
