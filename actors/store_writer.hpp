#pragma once

// The one actor that writes the store. It runs detached, on a thread of its
// own, so a SQLite call (and an fsync) never holds up a CAF worker or an
// I/O thread: every flush interval it takes what the sessions left in the
// inbox and writes it in one transaction (group commit).

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "metrics/actor_stats.hpp"
#include "store/session_store.hpp"
#include "store/store_inbox.hpp"

namespace agenttheo {

/// The store writer's answer to `revive_atom`: the session, or null.
/// Local only (each node has its own store), so it has no wire form.
struct stored_session_found {
  std::shared_ptr<const restored_session> session;
};

struct store_writer_settings {
  std::shared_ptr<store_inbox> inbox;
  std::unique_ptr<session_store> store;
  /// STORE_FLUSH_INTERVAL.
  std::chrono::milliseconds flush_interval{};
  /// STORE_RETENTION: sessions that ended longer ago are deleted.
  std::chrono::milliseconds retention{};
  /// A revived session's log holds at most this many events.
  std::size_t max_events = 0;
  /// ARTIFACTS_DIR: a deleted session's files go with it.
  std::string artifacts_dir;
};

struct store_writer_state {
  /// Its inbox, its store and their settings, as spawned.
  std::shared_ptr<store_writer_settings> settings;
  /// Taken from the inbox, not yet written (a flush failed): tried again
  /// first, so nothing is lost and the order holds.
  std::vector<store_write> unwritten;
  std::size_t unwritten_bytes = 0;
  std::shared_ptr<actor_stats> stats = std::make_shared<actor_stats>();

  static inline const char* name = "store_writer";
};

/// Answers `store_flush_atom` once everything waiting is written (true) or
/// the write failed (false), and `revive_atom` with a stored session;
/// sweeps by itself.
caf::behavior store_writer(caf::stateful_actor<store_writer_state>* self,
                           std::shared_ptr<store_writer_settings> settings);

} // namespace agenttheo

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agenttheo::stored_session_found)
