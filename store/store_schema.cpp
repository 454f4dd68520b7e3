#include "store/store_schema.hpp"

#include <string>

#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"

namespace agenttheo {

namespace {

// Version 1: sessions, their runs and every event, the conversation as
// JSON. tests/fixtures/store_schema_1.sql is a database of this version.
// Events are appended in the order they are written and have no index: an
// index by session would take a page write per session each flush (1,000
// sessions streaming at once: 29,000 events/s written against 249,000
// for 10). They are read by one scan at startup, and deleted in bulk.
constexpr std::string_view schema_1 = R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  client TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER,
  live INTEGER NOT NULL DEFAULT 1,
  next_id INTEGER NOT NULL DEFAULT 1,
  runs_started INTEGER NOT NULL DEFAULT 0,
  page_url TEXT NOT NULL DEFAULT '',
  conversation TEXT NOT NULL DEFAULT '{"messages":[]}'
);
CREATE TABLE runs (
  session_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  command TEXT NOT NULL,
  stream_mode TEXT NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  phase INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  result TEXT NOT NULL,
  max_steps INTEGER NOT NULL,
  steps INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  tokens_streamed INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, message_id)
) WITHOUT ROWID;
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  id INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  type TEXT NOT NULL,
  terminal INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX sessions_ended ON sessions (live, ended_at);
CREATE INDEX runs_by_message ON runs (message_id);
)sql";

// Version 2: the page's cookies and localStorage beside its URL, so a
// session's page comes back as it was.
constexpr std::string_view schema_2 = R"sql(
ALTER TABLE sessions ADD COLUMN page_state TEXT NOT NULL DEFAULT '';
)sql";

// Version 3: a run that waits for a person keeps what it needs to go on
// after a restart (store/run_checkpoint.hpp); empty otherwise.
constexpr std::string_view schema_3 = R"sql(
ALTER TABLE runs ADD COLUMN checkpoint TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: what a run used besides its tokens (README, "Budgets and
// cost"): model and tool calls, and its cost in billionths of a dollar (-1:
// the model had no price).
constexpr std::string_view schema_4 = R"sql(
ALTER TABLE runs ADD COLUMN model_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cost_nano_usd INTEGER NOT NULL DEFAULT -1;
)sql";

// Version 5: when each event was made (Unix ms), for replays; 0 for the
// events written before.
constexpr std::string_view schema_5 = R"sql(
ALTER TABLE events ADD COLUMN ts INTEGER NOT NULL DEFAULT 0;
)sql";

} // namespace

const std::vector<migration>& store_migrations() {
  static const std::vector<migration> all{
    {1, schema_1}, {2, schema_2}, {3, schema_3}, {4, schema_4}, {5, schema_5}};
  return all;
}

std::int64_t current_schema_version() {
  return store_migrations().back().version;
}

void migrate(sqlite::database& db) {
  auto version = db.scalar("PRAGMA user_version");
  if (version > current_schema_version())
    throw store_error{"it was written by a newer AgentTheo (schema version "
                      + std::to_string(version) + "; this one knows up to "
                      + std::to_string(current_schema_version())
                      + "): run that version, or point STORE_PATH elsewhere"};
  for (const auto& step : store_migrations()) {
    if (step.version <= version)
      continue;
    db.transaction(
      [&] {
        db.exec(step.sql);
        db.exec("PRAGMA user_version = " + std::to_string(step.version));
      },
      "BEGIN IMMEDIATE");
  }
}

} // namespace agenttheo
