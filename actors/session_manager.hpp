#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/response_promise.hpp>

#include "actors/client_quota.hpp"
#include "actors/session.hpp"
#include "messages/messages.hpp"
#include "metrics/actor_stats.hpp"

namespace agenttheo {

struct manager_settings {
  session_settings session;
  std::size_t max_sessions = 1'000;
  client_limits clients;
  /// Sessions the store kept from before a restart: spawned at once.
  std::vector<std::shared_ptr<const restored_session>> restored;
  /// The store's writer, asked for a session that idled out (null with
  /// STORE=memory: such a session is gone).
  caf::actor store_writer;
};

/// Knows every live session and which session each run (messageId) belongs
/// to. Routes `open_stream` requests, creating sessions within the bound,
/// answers the session listing, and drives shutdown.
struct session_manager_state {
  manager_settings settings;
  std::unordered_map<std::string, caf::actor> sessions;
  std::unordered_map<caf::actor_addr, std::string> session_of_addr;
  /// messageId -> session id
  std::unordered_map<std::string, std::string> runs;
  /// session id -> its messageIds, to forget them with the session
  std::unordered_map<std::string, std::unordered_set<std::string>> runs_of;
  std::unordered_map<std::string, session_info> infos;
  /// Answers (a listing, a gateway's poll) waiting for every session
  /// spawned to send its first `session_info`.
  std::vector<std::function<void()>> after_reports;
  /// What waits for the store to answer about a session it may keep
  /// (`s:` id or `m:` messageId): each retried once it has.
  std::unordered_map<std::string, std::vector<std::function<void()>>> reviving;
  /// Sessions held and runs started by each client, against its limits.
  client_quota quota{client_limits{}};
  bool stopping = false;
  std::vector<caf::response_promise> shutdown_waiters;

  /// Live counters the registry reads.
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "session_manager";
};

/// Answers `open_stream` (by routing it), `session_info` and `run_forgotten`
/// (from sessions), `list_sessions_atom` (JSON text), and `shutdown_atom`
/// (replies once every session has told its streams and exited).
caf::behavior session_manager(caf::stateful_actor<session_manager_state>* self,
                              manager_settings settings);

/// The `/api/sessions` document for these sessions.
std::string sessions_json(const std::unordered_map<std::string, session_info>&,
                          std::size_t max_sessions);

} // namespace agenttheo
