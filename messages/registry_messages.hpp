#pragma once

// What actors tell the registry, and what the admin side asks it.

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "metrics/actor_stats.hpp"

namespace agenttheo {

using admin_actors_atom = caf::atom_constant<caf::atom("adm_actors")>;
using admin_stats_atom = caf::atom_constant<caf::atom("adm_stats")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using registry_tick_atom = caf::atom_constant<caf::atom("reg_tick")>;
using registry_name_atom = caf::atom_constant<caf::atom("registry")>;

/// An actor starting: the registry monitors the sender and reads `stats`
/// until it exits.
struct actor_joined {
  /// session, llm_call, tool_call, page, browser, session_manager,
  /// sse_connection, ws_connection, ws_subscription
  std::string kind;
  /// What it is about: a session's id, a tool's name, a model, a transport.
  std::string name;
  /// The session it belongs to (empty for none).
  std::string parent;
  /// The actor it belongs to (a WebSocket subscription's socket), or 0.
  std::uint64_t owner = 0;
  std::int64_t started_ms = 0;
  /// Local only: a node's registry reads its own actors' counters.
  std::shared_ptr<actor_stats> stats;
};

/// An `error` event a session sent, for the console's recent errors.
struct error_seen {
  std::string session;
  std::string message_id;
  std::string code;
  std::string message;
  std::int64_t at_ms = 0;
};

/// Close the connection actor `actor` (the admin's `disconnect`).
struct disconnect_actor {
  std::uint64_t actor = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_joined& x) {
  return f(caf::meta::type_name("actor_joined"), x.kind, x.name, x.parent,
           x.owner, x.started_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error_seen& x) {
  return f(caf::meta::type_name("error_seen"), x.session, x.message_id, x.code,
           x.message, x.at_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disconnect_actor& x) {
  return f(caf::meta::type_name("disconnect_actor"), x.actor);
}

} // namespace agenttheo
