#include "actors/cluster_router.hpp"

#include <optional>
#include <unordered_set>
#include <variant>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/gateway_relay.hpp"
#include "actors/registry.hpp"
#include "actors/session_manager.hpp"
#include "actors/worker_link.hpp"
#include "actors/worker_placement.hpp"
#include "config/log.hpp"
#include "messages/mcp_messages.hpp"
#include "util/clock.hpp"
#include "util/json_writer.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<cluster_router_state>*;

api_error node_lost(const worker_node& w) {
  return api_error::of(api_code::node_lost,
                       "worker node " + w.name + " is unreachable ("
                         + (w.last_error.empty() ? w.state() : w.last_error)
                         + ")");
}

api_error no_workers() {
  return api_error::of(
    api_code::no_workers,
    "no worker node is reachable and has room for a session");
}

/// The worker running session `id`, or the reason there is none.
std::variant<std::size_t, api_error>
worker_of_session(const cluster_router_state& st, const std::string& id) {
  auto i = st.sessions.find(id);
  if (i == st.sessions.end())
    return api_error::unknown_session(id);
  const auto& w = st.workers[i->second.worker];
  if (!w.up())
    return node_lost(w);
  return i->second.worker;
}

std::vector<worker_load> loads(const cluster_router_state& st) {
  std::vector<worker_load> result;
  for (const auto& w : st.workers)
    result.push_back({w.up(), w.status.sessions.size() + w.placed,
                      w.status.max_sessions});
  return result;
}

/// A worker for a new session, named and recorded, or nullopt.
std::optional<std::size_t> place_session(self_ptr self, std::string& id) {
  auto& st = self->state;
  auto chosen = choose_worker(loads(st), st.last_placed);
  if (!chosen)
    return std::nullopt;
  st.last_placed = *chosen;
  ++st.workers[*chosen].placed;
  id = random_id("s-");
  st.sessions[id] = {*chosen, false};
  return chosen;
}

void record_run(cluster_router_state& st, const std::string& message_id,
                const std::string& session_id) {
  if (st.runs.emplace(message_id, session_id).second)
    st.runs_of[session_id].push_back(message_id);
}

/// This gateway's relay for session `id`, made on first use.
caf::actor relay_for(self_ptr self, const std::string& id) {
  auto& relay = self->state.relays[id];
  if (!relay) {
    // Linked: the relays end with the router. They end normally themselves,
    // which a link ignores.
    relay = self->spawn<caf::linked>(gateway_relay, id);
    self->monitor(relay);
  }
  return relay;
}

void forget_session(cluster_router_state& st, const std::string& id) {
  if (auto relay = st.relays.find(id); relay != st.relays.end()) {
    caf::anon_send(relay->second, shutdown_atom::value);
    st.relays.erase(relay);
  }
  if (auto i = st.runs_of.find(id); i != st.runs_of.end()) {
    for (const auto& message_id : i->second)
      st.runs.erase(message_id);
    st.runs_of.erase(i);
  }
  st.sessions.erase(id);
}

void forward(self_ptr self, std::size_t worker, open_stream& msg) {
  const auto& w = self->state.workers[worker];
  msg.request.node = w.name;
  if (msg.request.subscribe)
    msg.via = relay_for(self, msg.request.session_id);
  self->send(w.manager, std::move(msg));
}

void reject(self_ptr self, const open_stream& msg, const api_error& why) {
  self->send(msg.subscriber, why);
}

/// A request for a session the client named (its stream, or a new run in
/// it): routed to the session's worker.
void open_in_session(self_ptr self, open_stream& msg) {
  auto& st = self->state;
  auto& req = msg.request;
  auto found = worker_of_session(st, req.session_id);
  if (auto* why = std::get_if<api_error>(&found))
    return reject(self, msg, *why);
  if (!req.whole_session && !req.command.empty()) {
    if (req.message_id.empty())
      req.message_id = random_id("m-");
    record_run(st, req.message_id, req.session_id);
  }
  forward(self, std::get<std::size_t>(found), msg);
}

void on_open_stream(self_ptr self, open_stream& msg) {
  auto& st = self->state;
  auto& req = msg.request;
  if (!req.whole_session && !req.message_id.empty()) {
    if (auto known = st.runs.find(req.message_id); known != st.runs.end()) {
      if (!req.session_id.empty() && req.session_id != known->second)
        return reject(self, msg,
                      api_error::of(api_code::message_id_conflict,
                                    "messageId '" + req.message_id
                                      + "' belongs to another session"));
      req.session_id = known->second;
      return open_in_session(self, msg);
    }
  }
  if (req.whole_session || !req.session_id.empty())
    return open_in_session(self, msg);
  if (req.command.empty())
    return reject(
      self, msg,
      api_error::of(api_code::missing_command,
                    req.message_id.empty()
                      ? "command is required to start a run"
                      : "command is required: no run with messageId '"
                          + req.message_id + "' is known"));
  auto worker = place_session(self, req.session_id);
  if (!worker)
    return reject(self, msg, no_workers());
  req.new_session = true;
  if (req.message_id.empty())
    req.message_id = random_id("m-");
  record_run(st, req.message_id, req.session_id);
  forward(self, *worker, msg);
}

/// Hands an API request to the worker running session `id`.
template <class Request>
caf::result<api_reply> to_worker(self_ptr self, const std::string& id,
                                 Request& req) {
  auto found = worker_of_session(self->state, id);
  if (auto* why = std::get_if<api_error>(&found))
    return error_reply(*why);
  self->delegate(self->state.workers[std::get<std::size_t>(found)].manager,
                 std::move(req));
  return caf::delegated<api_reply>{};
}

/// Hands a request about run `req.message_id` to the worker running it.
template <class Request>
caf::result<api_reply> to_run_worker(self_ptr self, Request& req) {
  auto known = self->state.runs.find(req.message_id);
  if (known == self->state.runs.end())
    return error_reply(api_error::unknown_run(req.message_id));
  return to_worker(self, known->second, req);
}

void on_report(self_ptr self, worker_report& report) {
  auto& st = self->state;
  auto& w = st.workers[report.index];
  if (!w.up())
    return;
  for (const auto& run : report.status.runs) {
    st.sessions.try_emplace(run.session_id,
                            cluster_router_state::placement{report.index, true});
    record_run(st, run.message_id, run.session_id);
  }
  std::unordered_set<std::string> listed;
  for (auto& info : report.status.sessions) {
    info.node = w.name;
    listed.insert(info.id);
    st.sessions[info.id] = {report.index, true};
  }
  std::vector<std::string> gone;
  for (const auto& [id, where] : st.sessions)
    if (where.worker == report.index && where.seen && listed.count(id) == 0)
      gone.push_back(id);
  for (const auto& id : gone)
    forget_session(st, id);
  report.status.runs.clear();
  w.status = std::move(report.status);
  w.placed = 0;
  w.last_seen_ms = unix_millis();
}

void on_lost(self_ptr self, worker_lost& lost) {
  auto& st = self->state;
  auto& w = st.workers[lost.index];
  if (w.up()) {
    ++w.times_lost;
    log(log_level::warn, "worker ", w.name, " lost: ", lost.reason);
    // Its sessions and runs stay known: requests for them answer node_lost
    // (never a second run of the same messageId elsewhere) until the worker
    // is back, and its first status says which of them it still has.
    w.status = {};
    w.placed = 0;
    w.lost_reason = lost.reason;
  }
  w.manager = nullptr;
  w.last_error = std::move(lost.reason);
  ++w.failed_attempts;
}

std::string merged_sessions(const cluster_router_state& st) {
  std::unordered_map<std::string, session_info> infos;
  std::size_t capacity = 0;
  for (const auto& w : st.workers) {
    if (!w.up())
      continue;
    capacity += w.status.max_sessions;
    for (const auto& info : w.status.sessions)
      infos.emplace(info.id, info);
  }
  return sessions_json(infos, capacity);
}

void spawn_links(self_ptr self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.settings.workers.size(); ++i) {
    const auto& where = st.settings.workers[i];
    worker_node node;
    node.name = where.name();
    st.workers.push_back(std::move(node));
    worker_link_settings link{i, where, st.settings.secret,
                              st.settings.tls, st.settings.poll_interval,
                              st.settings.timeout, st.settings.retry,
                              caf::actor{self}};
    self->spawn<caf::linked>(worker_link, std::move(link));
  }
}

} // namespace

std::string nodes_json(const std::vector<worker_node>& workers) {
  json_writer out;
  out.begin_object().field("role", "gateway").key("nodes").begin_array();
  for (const auto& w : workers) {
    out.begin_object()
      .field("name", w.name)
      .field("state", w.state())
      .field("live_sessions",
             static_cast<std::uint64_t>(w.status.sessions.size()))
      .field("max_sessions", w.status.max_sessions)
      .field("lost_reason", w.lost_reason)
      .field("last_error", w.last_error)
      .field("up_since", w.up_since_ms)
      .field("last_seen", w.last_seen_ms)
      .field("times_lost", w.times_lost)
      .field("failed_attempts", w.failed_attempts)
      .key("sessions")
      .begin_array();
    for (const auto& info : w.status.sessions)
      out.begin_object()
        .field("id", info.id)
        .field("state", info.state)
        .field("messageId", info.current_message_id)
        .field("subscribers", info.subscribers)
        .end_object();
    out.end_array().end_object();
  }
  out.end_array().end_object();
  return out.str();
}

caf::behavior cluster_router(caf::stateful_actor<cluster_router_state>* self,
                             cluster_settings settings) {
  self->state.settings = std::move(settings);
  self->state.stats = join_registry(self, "cluster_router", "workers");
  self->state.stats->set_state("routing");
  spawn_links(self);
  // A relay ends with its session: forget it, so the next stream of a
  // session by that id (a restarted worker's) gets a fresh one.
  self->set_down_handler([self](caf::down_msg& down) {
    auto& relays = self->state.relays;
    for (auto i = relays.begin(); i != relays.end(); ++i)
      if (i->second.address() == down.source)
        return static_cast<void>(relays.erase(i));
  });
  return counting_behavior(
    self->state.stats.get(),
    [self](open_stream& msg) { on_open_stream(self, msg); },
    [self](worker_up& up) {
      auto& w = self->state.workers[up.index];
      w.manager = std::move(up.manager);
      w.up_since_ms = unix_millis();
      w.last_error.clear();
      w.failed_attempts = 0;
      log(log_level::info, "worker ", w.name, " is up");
    },
    [self](worker_report& report) { on_report(self, report); },
    [self](worker_lost& lost) { on_lost(self, lost); },
    [self](new_session_request& req) -> caf::result<api_reply> {
      auto worker = place_session(self, req.id);
      if (!worker)
        return error_reply(no_workers());
      self->delegate(self->state.workers[*worker].manager, std::move(req));
      return caf::delegated<api_reply>{};
    },
    [](clients_atom, client_streams_view&) {
      // Each worker keeps its own clients' book; a gateway holds none.
      return std::string{R"({"role":"gateway","clients":[],"count":0,)"
                         R"("note":"clients are counted on each worker node"})"};
    },
    [self](describe_session& req) {
      return to_worker(self, req.session_id, req);
    },
    [self](cancel_session& req) {
      return to_worker(self, req.session_id, req);
    },
    [self](update_session& req) {
      return to_worker(self, req.session_id, req);
    },
    [self](session_tool& req) {
      return to_worker(self, req.session_id, req);
    },
    [self](steer_session& req) {
      return to_worker(self, req.session_id, req);
    },
    [self](read_run_events& req) { return to_run_worker(self, req); },
    [self](read_run_view& req) { return to_run_worker(self, req); },
    [self](list_sessions_atom) { return merged_sessions(self->state); },
    [self](nodes_atom) { return nodes_json(self->state.workers); },
    // The gateway's streams close with its sockets; the workers' runs go on.
    [](shutdown_atom) { return caf::unit; });
}

} // namespace agenttheo
