#pragma once

// What a gateway and its worker nodes say to each other over CAF's
// middleman, besides the stream messages of messages.hpp (which cross as
// they are: a worker's session streams straight to the gateway's
// connection actors).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "messages/messages.hpp"

namespace agenttheo {

/// Gateway -> worker's door: let me in (with the cluster secret); answered
/// with the worker's session manager.
using join_cluster_atom = caf::atom_constant<caf::atom("join_clust")>;
/// Gateway -> worker's manager: how are you (bool: with every run's
/// location, asked once per connection to rebuild the routing tables).
using node_status_atom = caf::atom_constant<caf::atom("node_stat")>;
/// HTTP -> manager or gateway: the nodes document (`/api/admin/nodes`).
using nodes_atom = caf::atom_constant<caf::atom("nodes")>;

/// Session -> a gateway's relay: `subscriber` (on the relay's node) follows
/// `message_id` (empty: the whole session) in `modes` from the next live
/// round on; its replay went to it directly, before this.
struct relay_member {
  caf::actor subscriber;
  std::string message_id;
  mode_mask modes = all_modes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, relay_member& x) {
  return f(caf::meta::type_name("relay_member"), x.subscriber, x.message_id,
           x.modes);
}

/// Which session a run (messageId) belongs to.
struct run_location {
  std::string message_id;
  std::string session_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_location& x) {
  return f(caf::meta::type_name("run_location"), x.message_id, x.session_id);
}

/// A worker's answer to `node_status_atom`.
struct node_status {
  std::vector<session_info> sessions;
  /// Filled only when asked for: every run the worker's sessions remember.
  std::vector<run_location> runs;
  std::uint64_t max_sessions = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_status& x) {
  return f(caf::meta::type_name("node_status"), x.sessions, x.runs,
           x.max_sessions);
}

// -- between a gateway's worker links and its router (never cross nodes) -----

/// A link reached its worker: `manager` is the worker's session manager.
struct worker_up {
  std::size_t index = 0;
  caf::actor manager;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_up& x) {
  return f(caf::meta::type_name("worker_up"), x.index, x.manager);
}

/// A link's latest status of its worker.
struct worker_report {
  std::size_t index = 0;
  node_status status;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_report& x) {
  return f(caf::meta::type_name("worker_report"), x.index, x.status);
}

/// A link lost its worker (or never reached it): why, in words.
struct worker_lost {
  std::size_t index = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_lost& x) {
  return f(caf::meta::type_name("worker_lost"), x.index, x.reason);
}

} // namespace agenttheo
