#include "actors/session_manager.hpp"

#include <algorithm>
#include <limits>
#include <variant>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"
#include "actors/store_writer.hpp"
#include "browser/session_secrets.hpp"
#include "config/log.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/mcp_messages.hpp"
#include "store/store_inbox.hpp"
#include "util/clock.hpp"
#include "util/json_writer.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<session_manager_state>*;

void reject(self_ptr self, const caf::actor& subscriber, api_error why) {
  self->send(subscriber, std::move(why));
}

/// When a session slot may free up (of `client`'s, if named): the first
/// idle session without a watcher ends SESSION_IDLE_TIMEOUT after its last
/// activity; with none, a running one must finish first, so at least that
/// long.
std::uint32_t seconds_until_a_slot(const session_manager_state& st,
                                   const std::string& client = {}) {
  auto idle_ms = st.settings.session.idle_timeout.count();
  auto soonest = std::numeric_limits<std::int64_t>::max();
  for (const auto& [id, info] : st.infos)
    if (info.state == "idle" && info.subscribers == 0
        && (client.empty() || st.quota.client_of(id) == client))
      soonest = std::min(soonest, info.updated_at_ms + idle_ms);
  auto wait_ms = soonest == std::numeric_limits<std::int64_t>::max()
                   ? idle_ms
                   : soonest - unix_millis();
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, (wait_ms + 999) / 1000));
}

api_error too_many_sessions(const session_manager_state& st) {
  auto err = api_error::of(api_code::too_many_sessions,
                           "the server runs its maximum of "
                             + std::to_string(st.settings.max_sessions)
                             + " sessions; retry later");
  err.retry_after_s = seconds_until_a_slot(st);
  return err;
}

api_error client_has_max_sessions(const session_manager_state& st,
                                  const std::string& client) {
  auto err = api_error::of(api_code::rate_limited,
                           "this client (" + client + ") holds its maximum of "
                             + std::to_string(st.quota.limits().max_sessions)
                             + " sessions (CLIENT_MAX_SESSIONS): end one "
                               "(DELETE /api/sessions/{id}) or retry later");
  err.retry_after_s = seconds_until_a_slot(st, client);
  return err;
}

/// Every session spawned has sent its first `session_info` (`infos` keeps
/// only live sessions' reports, so the counts say it).
bool all_reported(const session_manager_state& st) {
  return st.infos.size() == st.sessions.size();
}

/// A session reported or went: what waited for every session to report
/// runs once none is left unreported.
void answer_if_all_reported(self_ptr self) {
  auto& st = self->state;
  if (st.after_reports.empty() || !all_reported(st))
    return;
  auto waiting = std::move(st.after_reports);
  st.after_reports.clear();
  for (auto& answer : waiting)
    answer();
}

/// `answer()` now, or once every session spawned has sent its first
/// `session_info`: a session restored at startup, or created a moment ago,
/// is listed rather than missing (a session reports as it starts, so the
/// wait is one message, even with the actors on several I/O threads).
template <class T, class Answer>
caf::result<T> once_all_reported(self_ptr self, Answer answer) {
  auto& st = self->state;
  if (all_reported(st))
    return answer();
  auto promise = self->make_response_promise<T>();
  st.after_reports.push_back(
    [promise, answer]() mutable { promise.deliver(answer()); });
  return promise;
}

/// Spawns and registers session `id`, new or from the store.
caf::actor spawn_session(self_ptr self, const std::string& id,
                         session_origin origin) {
  auto& st = self->state;
  auto client = origin.client;
  auto handle = self->spawn(session, id, st.settings.session,
                            caf::actor{self}, std::move(origin));
  self->monitor(handle);
  st.sessions.emplace(id, handle);
  st.session_of_addr.emplace(handle.address(), id);
  st.quota.session_opened(id, client);
  return handle;
}

/// A new session for `client` (named `id`, or by us), or why there is
/// none: the client's limit, or the server's.
std::variant<caf::actor, api_error> create_session(self_ptr self,
                                                   const std::string& client,
                                                   std::string id = {},
                                                   session_origin origin = {}) {
  auto& st = self->state;
  if (!st.quota.may_open_session(client))
    return client_has_max_sessions(st, client);
  if (st.sessions.size() >= st.settings.max_sessions)
    return too_many_sessions(st);
  if (id.empty())
    id = random_id("s-");
  origin.client = client;
  return spawn_session(self, id, std::move(origin));
}

/// A session the store kept, back as it was (within no limit: it was
/// admitted before), each of its runs known by its messageId again.
void adopt(self_ptr self, const std::shared_ptr<const restored_session>& saved) {
  auto& st = self->state;
  const auto& id = saved->session.id;
  if (st.sessions.count(id) != 0)
    return;
  spawn_session(self, id, {saved->session.client, saved, {}, {}});
  for (const auto& run : saved->runs) {
    // A messageId taken since by a run elsewhere stays with that run.
    if (st.runs.emplace(run.message_id, id).second)
      st.runs_of[id].insert(run.message_id);
  }
}

void restore_sessions(self_ptr self) {
  auto& st = self->state;
  for (auto& saved : st.settings.restored)
    adopt(self, saved);
  st.settings.restored.clear();
}

/// Asks the store for a session that idled out, by its id or (`session_id`
/// empty) by one of its runs' messageIds, spawns it if the store still
/// keeps it, then calls `retry` either way (once: what it retries finds
/// the session, or answers as it would have). Requests for the same
/// session while the store looks share its answer.
void revive(self_ptr self, const std::string& session_id,
            const std::string& message_id, std::function<void()> retry) {
  auto& st = self->state;
  auto key = session_id.empty() ? "m:" + message_id : "s:" + session_id;
  auto& waiting = st.reviving[key];
  waiting.push_back(std::move(retry));
  if (waiting.size() > 1)
    return;
  auto done = [self, key] {
    auto retries = std::move(self->state.reviving[key]);
    self->state.reviving.erase(key);
    for (auto& again : retries)
      again();
  };
  self
    ->request(st.settings.store_writer, std::chrono::seconds{30},
              revive_atom::value, session_id, message_id)
    .then(
      [self, done](stored_session_found& found) {
        if (found.session && !self->state.stopping) {
          log(log_level::info, "session ", found.session->session.id,
              " revived from the store");
          adopt(self, found.session);
        }
        done();
      },
      [done](caf::error&) { done(); });
}

/// Whether a miss may be a session the store keeps: with a store, and not
/// already asked about.
bool may_revive(const session_manager_state& st, bool asked) {
  return !asked && st.settings.store_writer && !st.stopping;
}

/// The new session, or nullptr after telling `subscriber` why not.
caf::actor created_or_rejected(self_ptr self, const caf::actor& subscriber,
                               std::variant<caf::actor, api_error> created) {
  if (auto* why = std::get_if<api_error>(&created)) {
    reject(self, subscriber, std::move(*why));
    return nullptr;
  }
  return std::get<caf::actor>(std::move(created));
}

/// The session `id`, or an invalid handle.
caf::actor find_session(session_manager_state& st, const std::string& id) {
  auto i = st.sessions.find(id);
  return i == st.sessions.end() ? caf::actor{} : i->second;
}

/// The session that will run a new command, or nullptr after rejecting.
caf::actor session_for_new_run(self_ptr self, const open_stream& msg) {
  auto& st = self->state;
  const auto& wanted = msg.request.session_id;
  if (!wanted.empty()) {
    auto found = find_session(st, wanted);
    // A gateway names the sessions it places here.
    if (!found && msg.request.new_session)
      return created_or_rejected(self, msg.subscriber,
                                 create_session(self, msg.request.client, wanted));
    if (!found)
      reject(self, msg.subscriber, api_error::unknown_session(wanted));
    return found;
  }
  return created_or_rejected(self, msg.subscriber,
                             create_session(self, msg.request.client));
}

/// Whether the store keeps up: while more waits for the disk than its
/// bound, new runs are refused (running ones go on, nothing is dropped).
bool store_keeps_up(self_ptr self, const open_stream& msg) {
  const auto& store = self->state.settings.session.store;
  if (!store || !store->lagging())
    return true;
  auto err = api_error::of(api_code::store_lagging,
                           "the store is behind: "
                             + std::to_string(store->pending_bytes() >> 10)
                             + " KiB wait for the disk (STORE_MAX_PENDING "
                             + std::to_string(store->max_bytes() >> 10)
                             + " KiB); retry shortly");
  err.retry_after_s = 1;
  reject(self, msg.subscriber, std::move(err));
  return false;
}

/// Takes one of the client's runs, or refuses it with when to retry.
bool within_run_rate(self_ptr self, const open_stream& msg) {
  auto& quota = self->state.quota;
  auto wait = quota.take_run(msg.request.client, client_quota::clock::now());
  if (wait == 0)
    return true;
  auto err = api_error::of(api_code::rate_limited,
                           "this client (" + msg.request.client + ") started its "
                             + std::to_string(quota.limits().runs_per_minute)
                             + " runs of the last minute "
                               "(CLIENT_RUNS_PER_MINUTE); retry in "
                             + std::to_string(wait) + " s");
  err.retry_after_s = wait;
  reject(self, msg.subscriber, std::move(err));
  return false;
}

api_reply unknown_session(const std::string& id) {
  return error_reply(api_error::unknown_session(id));
}

/// The session `session_id` names, else the one holding run `message_id`.
caf::actor holder(session_manager_state& st, const std::string& session_id,
                  const std::string& message_id) {
  if (!session_id.empty())
    return find_session(st, session_id);
  auto known = st.runs.find(message_id);
  return known == st.runs.end() ? caf::actor{} : find_session(st, known->second);
}

/// Hands `req` to its session once the store has said whether it keeps
/// one that idled out (see revive), or answers `missing`.
template <class Request>
caf::result<api_reply> after_revival(self_ptr self, const std::string& session_id,
                                     const std::string& message_id, Request req,
                                     api_reply missing) {
  auto promise = self->make_response_promise<api_reply>();
  revive(self, session_id, message_id,
         [self, session_id, message_id, req, missing, promise]() mutable {
           if (auto target = holder(self->state, session_id, message_id))
             promise.delegate(target, std::move(req));
           else
             promise.deliver(std::move(missing));
         });
  return promise;
}

/// Hands an API request to the session that answers it (asking the store
/// for one that idled out), or says 404.
template <class Request>
caf::result<api_reply> to_session(self_ptr self, const std::string& id,
                                  Request& req) {
  if (auto target = find_session(self->state, id)) {
    self->delegate(target, std::move(req));
    return caf::delegated<api_reply>{};
  }
  if (!may_revive(self->state, false))
    return unknown_session(id);
  // `id` may be a member of `req`, which moves.
  auto name = id;
  return after_revival(self, name, {}, std::move(req), unknown_session(name));
}

void on_open_stream(self_ptr self, open_stream& msg, bool asked = false);

/// `msg` once more, after the store said whether it keeps its session.
std::function<void()> again(self_ptr self, const open_stream& msg) {
  return [self, retry = msg]() mutable { on_open_stream(self, retry, true); };
}

void on_open_stream(self_ptr self, open_stream& msg, bool asked) {
  auto& st = self->state;
  auto& req = msg.request;
  if (st.stopping)
    return reject(self, msg.subscriber, api_error::shutting_down());
  if (req.whole_session) {
    if (auto target = find_session(st, req.session_id))
      return self->send(target, std::move(msg));
    if (may_revive(st, asked))
      return revive(self, req.session_id, {}, again(self, msg));
    return reject(self, msg.subscriber,
                  api_error::unknown_session(req.session_id));
  }
  if (!req.message_id.empty()) {
    if (auto known = st.runs.find(req.message_id); known != st.runs.end()) {
      if (req.message_id == req.rerun.of)
        return reject(self, msg.subscriber,
                      api_error::of(api_code::message_id_conflict,
                                    "a rerun needs a messageId of its own, not "
                                    "the recorded run's"));
      if (!req.session_id.empty() && req.session_id != known->second)
        return reject(self, msg.subscriber,
                      api_error::of(api_code::message_id_conflict,
                                    "messageId '" + req.message_id
                                      + "' belongs to another session"));
      // Joining a known run: never run the command twice.
      req.command.clear();
      return self->send(st.sessions.at(known->second), std::move(msg));
    }
    // A join or a resume of a run no session here holds: its session
    // may have idled out (a new messageId with a command is a new run).
    if ((req.command.empty() || req.has_last_event_id) && may_revive(st, asked))
      return revive(self, {}, req.message_id, again(self, msg));
  }
  if (req.command.empty())
    return reject(
      self, msg.subscriber,
      api_error::of(api_code::missing_command,
                    req.message_id.empty()
                      ? "command is required to start a run"
                      : "command is required: no run with messageId '"
                          + req.message_id + "' is known"));
  // A new run in a session that may have idled out.
  if (!req.session_id.empty() && !req.new_session
      && !find_session(st, req.session_id) && may_revive(st, asked))
    return revive(self, req.session_id, {}, again(self, msg));
  if (!store_keeps_up(self, msg) || !within_run_rate(self, msg))
    return;
  auto target = session_for_new_run(self, msg);
  if (!target)
    return;
  if (req.message_id.empty())
    req.message_id = random_id("m-");
  auto session_id = st.session_of_addr.at(target.address());
  // Registered before the session confirms, so a second request with the
  // same new messageId joins instead of starting the command again.
  st.runs[req.message_id] = session_id;
  st.runs_of[session_id].insert(req.message_id);
  self->send(target, std::move(msg));
}

void forget_session(self_ptr self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto i = st.session_of_addr.find(addr);
  if (i == st.session_of_addr.end())
    return;
  auto id = i->second;
  st.session_of_addr.erase(i);
  st.sessions.erase(id);
  st.infos.erase(id);
  answer_if_all_reported(self);
  st.quota.session_closed(id);
  for (auto& message_id : st.runs_of[id])
    st.runs.erase(message_id);
  st.runs_of.erase(id);
  if (st.stopping && st.sessions.empty()) {
    for (auto& waiter : st.shutdown_waiters)
      waiter.deliver(caf::unit);
    st.shutdown_waiters.clear();
  }
}

/// `POST /api/sessions`: a new idle session.
api_reply on_create_session(self_ptr self, new_session_request& req) {
  auto& st = self->state;
  if (st.stopping)
    return error_reply(api_error::shutting_down());
  session_origin origin;
  origin.title = std::move(req.title);
  origin.secrets = std::move(req.secrets);
  // Names and hosts only, written before the values go to the session.
  json_writer listed;
  session_secrets::write_list(listed, origin.secrets, *st.settings.session.page.secrets);
  auto created = create_session(self, req.client, std::move(req.id), std::move(origin));
  if (auto* why = std::get_if<api_error>(&created))
    return error_reply(std::move(*why));
  const auto& name = st.session_of_addr.at(std::get<caf::actor>(created).address());
  json_writer out;
  out.begin_object()
    .field("id", name)
    .field("state", "idle")
    .field("runs", "/api/sessions/" + name + "/runs")
    .field("stream", "/api/sessions/" + name + "/stream")
    .key("secrets")
    .raw(listed.str())
    .end_object();
  return {201, out.str()};
}

/// `GET /api/runs/{id}/events` and `/frames`, from the run's session
/// (asking the store for one that idled out).
template <class Request>
caf::result<api_reply> to_run_session(self_ptr self, Request& req) {
  auto& st = self->state;
  if (auto known = st.runs.find(req.message_id); known != st.runs.end())
    return to_session(self, known->second, req);
  auto missing = error_reply(api_error::unknown_run(req.message_id));
  if (!may_revive(st, false))
    return missing;
  auto message_id = req.message_id;
  return after_revival(self, {}, message_id, std::move(req), std::move(missing));
}

/// What a gateway polls: the sessions, and on request every run's session.
node_status status_of(const session_manager_state& st, bool with_runs) {
  node_status status;
  status.max_sessions = st.settings.max_sessions;
  for (const auto& [id, info] : st.infos)
    status.sessions.push_back(info);
  if (with_runs)
    for (const auto& [message_id, session_id] : st.runs)
      status.runs.push_back({message_id, session_id});
  return status;
}

} // namespace

std::string sessions_json(const std::unordered_map<std::string, session_info>& infos,
                          std::size_t max_sessions) {
  std::vector<const session_info*> sorted;
  for (auto& [id, info] : infos)
    sorted.push_back(&info);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return a->created_at_ms != b->created_at_ms
             ? a->created_at_ms < b->created_at_ms
             : a->id < b->id;
  });
  json_writer out;
  out.begin_object().key("sessions").begin_array();
  for (auto* info : sorted) {
    out.begin_object()
      .field("id", info->id)
      .field("title", info->title)
      .field("state", info->state)
      .field("runs", info->runs)
      .field("subscribers", info->subscribers)
      .field("messageId", info->current_message_id)
      .field("queued", info->queued)
      .field("created_at", info->created_at_ms)
      .field("updated_at", info->updated_at_ms);
    if (!info->node.empty())
      out.field("node", info->node);
    out.field("control", info->control);
    out.key("pending_interrupts").raw(info->interrupts_json);
    out.end_object();
  }
  out.end_array()
    .field("count", static_cast<std::uint64_t>(sorted.size()))
    .field("max_sessions", static_cast<std::uint64_t>(max_sessions))
    .end_object();
  return out.str();
}

caf::behavior session_manager(caf::stateful_actor<session_manager_state>* self,
                              manager_settings settings) {
  self->state.settings = std::move(settings);
  self->state.quota = client_quota{self->state.settings.clients};
  self->set_down_handler(
    [self](caf::down_msg& down) { forget_session(self, down.source); });
  self->state.stats = join_registry(self, "session_manager", "sessions");
  self->state.stats->set_state("serving");
  restore_sessions(self);
  return counting_behavior(
    self->state.stats.get(),
    [self](open_stream& msg) { on_open_stream(self, msg); },
    [self](session_info& info) {
      auto& st = self->state;
      if (st.sessions.count(info.id) == 0)
        return;
      st.infos[info.id] = std::move(info);
      answer_if_all_reported(self);
    },
    [self](run_forgotten& forgotten) {
      auto& st = self->state;
      auto i = st.runs.find(forgotten.message_id);
      if (i == st.runs.end())
        return;
      auto sender = st.session_of_addr.find(
        caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (sender == st.session_of_addr.end() || sender->second != i->second)
        return;
      st.runs_of[i->second].erase(forgotten.message_id);
      st.runs.erase(i);
    },
    [self](new_session_request& req) { return on_create_session(self, req); },
    [self](clients_atom, client_streams_view& streams) {
      return clients_json(self->state.quota, streams);
    },
    [self](node_status_atom, bool with_runs) {
      return once_all_reported<node_status>(
        self, [self, with_runs] { return status_of(self->state, with_runs); });
    },
    [](nodes_atom) {
      return std::string{R"({"role":"single","nodes":[]})"};
    },
    [self](describe_session& req) {
      return to_session(self, req.session_id, req);
    },
    [self](cancel_session& req) {
      return to_session(self, req.session_id, req);
    },
    [self](update_session& req) {
      return to_session(self, req.session_id, req);
    },
    [self](session_tool& req) {
      return to_session(self, req.session_id, req);
    },
    [self](steer_session& req) {
      return to_session(self, req.session_id, req);
    },
    [self](read_run_events& req) { return to_run_session(self, req); },
    [self](read_run_view& req) { return to_run_session(self, req); },
    [self](list_sessions_atom) {
      return once_all_reported<std::string>(self, [self] {
        return sessions_json(self->state.infos, self->state.settings.max_sessions);
      });
    },
    [self](shutdown_atom) -> caf::result<caf::unit_t> {
      auto& st = self->state;
      st.stopping = true;
      if (st.sessions.empty())
        return caf::unit;
      for (auto& [id, handle] : st.sessions)
        self->send(handle, shutdown_atom::value);
      auto promise = self->make_response_promise();
      st.shutdown_waiters.push_back(promise);
      return caf::delegated<caf::unit_t>{};
    });
}

} // namespace agenttheo
