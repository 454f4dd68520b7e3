#pragma once

// The store's schema, as the migrations that build it: a database records
// the version it is at (`PRAGMA user_version`); opening one runs the
// migrations it has not had, in order, each in its own transaction.

#include <cstdint>
#include <string_view>
#include <vector>

namespace agenttheo {

namespace sqlite {
class database;
} // namespace sqlite

struct migration {
  std::int64_t version;
  std::string_view sql;
};

/// Every migration, oldest first; the last one's version is the current.
const std::vector<migration>& store_migrations();

std::int64_t current_schema_version();

/// Brings `db` to the current version. Throws store_error for a database
/// from a newer AgentTheo.
void migrate(sqlite::database& db);

} // namespace agenttheo
