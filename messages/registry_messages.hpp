#pragma once

// What actors tell the registry, and what the admin side asks it.

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "metrics/admin_snapshot.hpp"

namespace agenttheo {

using admin_actors_atom = caf::atom_constant<caf::atom("adm_actors")>;
using admin_stats_atom = caf::atom_constant<caf::atom("adm_stats")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using registry_tick_atom = caf::atom_constant<caf::atom("reg_tick")>;
using registry_name_atom = caf::atom_constant<caf::atom("registry")>;

/// An actor starting: the registry monitors the sender (whose id becomes
/// `record.id`) and reads `record.stats` until it exits. The stats stay
/// local: a node's registry reads its own actors' counters.
struct actor_joined {
  actor_record record;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_joined& x) {
  auto& r = x.record;
  return f(caf::meta::type_name("actor_joined"), r.kind, r.name, r.parent, r.owner,
           r.started_ms, r.title);
}

/// The sender is now known by `title` (a session, titled or renamed).
struct actor_titled {
  std::string title;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_titled& x) {
  return f(caf::meta::type_name("actor_titled"), x.title);
}

/// Close the connection actor `actor` (the admin's `disconnect`).
struct disconnect_actor {
  std::uint64_t actor = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disconnect_actor& x) {
  return f(caf::meta::type_name("disconnect_actor"), x.actor);
}

/// An `error` event a session sent, for the console's recent errors
/// (the struct is the metrics' own, which knows no CAF).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recent_error& x) {
  return f(caf::meta::type_name("recent_error"), x.at_ms, x.session, x.message_id,
           x.code, x.message);
}

} // namespace agenttheo
