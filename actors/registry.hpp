#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/local_actor.hpp>

#include "metrics/admin_snapshot.hpp"

namespace agenttheo {

/// Every live actor of the node, learnt from `actor_joined` and forgotten
/// when the actor exits (monitored), with its live counters; the process
/// totals sampled every second for rates. Answers the admin views
/// (`admin_actors_atom`, `admin_stats_atom`, `metrics_atom`, as JSON or
/// Prometheus text) and `disconnect_actor`, and pushes the stats, built once
/// per second, to every `admin_stream` actor that joined.
struct registry_state {
  struct entry {
    caf::actor handle;
    actor_record record;
  };
  std::unordered_map<std::uint64_t, entry> actors;
  std::deque<totals_sample> history;
  std::deque<recent_error> errors;
  std::int64_t started_ms = 0;

  static inline const char* name = "registry";
};

/// `at_start`: the process's totals when the node started (taken by the
/// thread that spawns the registry), the baseline of every rate: the
/// registry's first message may be handled after the first streams ran.
caf::behavior registry(caf::stateful_actor<registry_state>* self,
                       totals_sample at_start);

/// Registers `self` with its node's registry (if there is one) and returns
/// the counters it should keep: `stats`, or new ones. Never null.
std::shared_ptr<actor_stats>
join_registry(caf::local_actor* self, std::string kind, std::string name,
              std::string parent = {}, std::uint64_t owner = 0,
              std::shared_ptr<actor_stats> stats = nullptr);

/// Tells the registry what `self` is known by now (for the console).
void set_registry_title(caf::local_actor* self, std::string title);

/// Tells the registry about an `error` event (for the console).
void report_error(caf::local_actor* self, std::string session,
                  std::string message_id, std::string code, std::string message);

} // namespace agenttheo
