#pragma once

// The sessions, runs, conversations and events of one server (or worker)
// in one SQLite database, in WAL mode, held by this process alone. Used by
// one thread: the store writer's (and main's, before it starts).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store_records.hpp"

namespace agenttheo {

namespace sqlite {
class database;
class statement;
} // namespace sqlite

struct store_options {
  std::string path = "data/agenttheo.db";
  /// `PRAGMA synchronous=FULL` (every commit reaches the disk) instead of
  /// NORMAL (a power loss may lose the last commits, never corrupt).
  bool full_sync = false;
};

class session_store {
public:
  /// Opens (creating it and its folder) and migrates the database, and
  /// locks it for this process. Throws store_error, in words for the
  /// operator: locked by another process, corrupt, from a newer version.
  static std::unique_ptr<session_store> open(const store_options& options);
  ~session_store();

  /// Writes `batch` in one transaction, in order.
  void write(const std::vector<store_write>& batch);

  /// Every session that was live when the server stopped, with its runs,
  /// conversation, page and newest `max_events` events.
  std::vector<restored_session> load(std::size_t max_events);

  /// A session that ended (idled out) and is still kept, named by its id
  /// or (`session_id` empty) by one of its runs' messageIds, to be spawned
  /// again; nothing when there is no such session. Its events are found by
  /// a scan of them all (they have no index: see store_schema.cpp).
  std::optional<restored_session> revive(const std::string& session_id,
                                         const std::string& message_id,
                                         std::size_t max_events);

  /// Deletes the sessions that ended before `cutoff_ms`, with their runs
  /// and events, and the events of runs forgotten since the last sweep;
  /// the ids of the sessions deleted.
  std::vector<std::string> sweep(std::int64_t cutoff_ms);

  std::int64_t schema_version();

private:
  struct statements;
  session_store(std::unique_ptr<sqlite::database> db);

  void write_one(const store_write& write);

  std::unique_ptr<sqlite::database> db_;
  std::unique_ptr<statements> sql_;
};

} // namespace agenttheo
