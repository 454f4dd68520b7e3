#include "store/session_store.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/store_schema.hpp"

namespace agenttheo {

namespace {

std::int64_t signed_of(std::uint64_t value) {
  return static_cast<std::int64_t>(value);
}

std::uint64_t unsigned_of(std::int64_t value) {
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

/// Creates the database's folder, readable by this user only: the store
/// holds conversations, page cookies and what pages showed.
void make_folder_of(const std::string& path) {
  auto folder = std::filesystem::path{path}.parent_path();
  std::error_code ec;
  if (folder.empty() || std::filesystem::exists(folder, ec))
    return;
  std::filesystem::create_directories(folder, ec);
  if (!ec)
    std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
  if (ec)
    throw store_error{"cannot create its folder " + folder.string() + ": "
                      + ec.message()};
}

/// A new database file is this user's only (SQLite gives its WAL the
/// same permissions).
void keep_private(const std::string& path) {
  std::error_code ec;
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read
                                 | std::filesystem::perms::owner_write,
                               ec);
}

/// Takes the database for this process: an exclusive lock, held until
/// the connection closes, so a second server on the same file stops at
/// startup instead of interleaving its writes.
void lock(sqlite::database& db, bool full_sync) {
  db.exec("PRAGMA busy_timeout = 200");
  db.exec("PRAGMA locking_mode = EXCLUSIVE");
  db.exec("BEGIN EXCLUSIVE");
  db.exec("COMMIT");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

void check_integrity(sqlite::database& db) {
  auto check = db.prepare("PRAGMA quick_check");
  if (check.step() && check.text(0) != "ok")
    throw store_error{"it is corrupt (" + check.text(0)
                      + "): restore it from a backup or move it away"};
}

std::string explain(const std::string& path, const sqlite::failure& f) {
  if (sqlite::is_locked(f))
    return path + " is locked by another process (another AgentTheo on the "
                  "same STORE_PATH?): stop it, or point STORE_PATH elsewhere";
  if (sqlite::is_corrupt(f))
    return path + " is corrupt or not an SQLite database (" + f.message
           + "): restore it from a backup or move it away";
  return path + ": " + f.message;
}

} // namespace

struct session_store::statements {
  explicit statements(sqlite::database& db)
    : put_session(db.prepare(
        "INSERT INTO sessions (id, title, client, created_at, updated_at, "
        "next_id, runs_started) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (id) DO UPDATE SET title = ?2, updated_at = ?5, "
        "next_id = max(next_id, ?6), runs_started = ?7, live = 1, "
        "ended_at = NULL")),
      put_run(db.prepare(
        "INSERT OR REPLACE INTO runs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)")),
      put_event(db.prepare(
        "INSERT INTO events (session_id, id, message_id, type, terminal, data, ts) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")),
      put_conversation(
        db.prepare("UPDATE sessions SET conversation = ?2 WHERE id = ?1")),
      put_page(db.prepare(
        "UPDATE sessions SET page_url = ?2, page_state = ?3 WHERE id = ?1")),
      forget_run(
        db.prepare("DELETE FROM runs WHERE session_id = ?1 AND message_id = ?2")),
      end_session(db.prepare(
        "UPDATE sessions SET live = 0, ended_at = ?2 WHERE id = ?1")),
      delete_session(db.prepare("DELETE FROM sessions WHERE id = ?1")),
      delete_runs(db.prepare("DELETE FROM runs WHERE session_id = ?1")),
      // One scan for every session gone: events have no index.
      delete_orphan_events(db.prepare(
        "DELETE FROM events WHERE session_id NOT IN (SELECT id FROM sessions)")),
      delete_forgotten_events(db.prepare(
        "DELETE FROM events WHERE message_id != '' AND NOT EXISTS (SELECT 1 "
        "FROM runs WHERE runs.session_id = events.session_id AND "
        "runs.message_id = events.message_id)")) {
  }

  sqlite::statement put_session;
  sqlite::statement put_run;
  sqlite::statement put_event;
  sqlite::statement put_conversation;
  sqlite::statement put_page;
  sqlite::statement forget_run;
  sqlite::statement end_session;
  sqlite::statement delete_session;
  sqlite::statement delete_runs;
  sqlite::statement delete_orphan_events;
  sqlite::statement delete_forgotten_events;

  /// The session and its runs; its events go with the next
  /// delete_orphan_events.
  void remove(const std::string& session_id) {
    delete_runs.bind(1, session_id).run();
    delete_session.bind(1, session_id).run();
  }
};

session_store::session_store(std::unique_ptr<sqlite::database> db)
  : db_(std::move(db)), sql_(std::make_unique<statements>(*db_)) {
}

session_store::~session_store() = default;

std::unique_ptr<session_store> session_store::open(const store_options& options) {
  make_folder_of(options.path);
  std::error_code ec;
  auto created = !std::filesystem::exists(options.path, ec);
  try {
    auto db = sqlite::database::open(options.path);
    if (created)
      keep_private(options.path);
    lock(*db, options.full_sync);
    check_integrity(*db);
    migrate(*db);
    return std::unique_ptr<session_store>{new session_store{std::move(db)}};
  } catch (const sqlite::failure& f) {
    throw store_error{explain(options.path, f)};
  } catch (const store_error& e) {
    throw store_error{options.path + ": " + e.what()};
  }
}

std::int64_t session_store::schema_version() {
  return db_->scalar("PRAGMA user_version");
}

void session_store::write_one(const store_write& write) {
  auto& sql = *sql_;
  if (auto* s = std::get_if<session_row>(&write)) {
    sql.put_session.bind(1, s->id)
      .bind(2, s->title)
      .bind(3, s->client)
      .bind(4, s->created_at_ms)
      .bind(5, s->updated_at_ms)
      .bind(6, signed_of(s->next_id))
      .bind(7, signed_of(s->runs_started))
      .run();
  } else if (auto* r = std::get_if<run_row>(&write)) {
    sql.put_run.bind(1, r->session_id)
      .bind(2, r->message_id)
      .bind(3, signed_of(r->number))
      .bind(4, r->command)
      .bind(5, r->stream_mode)
      .bind(6, signed_of(r->first_id))
      .bind(7, signed_of(r->last_id))
      .bind(8, static_cast<std::int64_t>(r->phase))
      .bind(9, static_cast<std::int64_t>(r->outcome))
      .bind(10, r->result)
      .bind(11, signed_of(r->max_steps))
      .bind(12, signed_of(r->steps))
      .bind(13, signed_of(r->prompt_tokens))
      .bind(14, signed_of(r->completion_tokens))
      .bind(15, signed_of(r->tokens_streamed))
      .bind(16, r->created_at_ms)
      .bind(17, r->ended_at_ms)
      .bind(18, r->checkpoint_json)
      .bind(19, signed_of(r->model_calls))
      .bind(20, signed_of(r->tool_calls))
      .bind(21, r->cost_nano_usd)
      .run();
  } else if (auto* e = std::get_if<event_row>(&write)) {
    const auto& raw = e->event->raw;
    // The event outlives the row's step: its texts are read in place.
    sql.put_event.bind_in_place(1, raw.session)
      .bind(2, signed_of(raw.id))
      .bind_in_place(3, raw.message_id)
      .bind_in_place(4, to_string(raw.type))
      .bind(5, std::int64_t{raw.terminal ? 1 : 0})
      .bind_in_place(6, raw.data)
      .bind(7, raw.ts)
      .run();
  } else if (auto* c = std::get_if<conversation_row>(&write)) {
    sql.put_conversation.bind(1, c->session_id).bind(2, c->json).run();
  } else if (auto* p = std::get_if<page_row>(&write)) {
    sql.put_page.bind(1, p->session_id).bind(2, p->url).bind(3, p->state_json).run();
  } else if (auto* f = std::get_if<run_forgotten_row>(&write)) {
    // Its events stay until the sweep: they are in the session's log too.
    sql.forget_run.bind(1, f->session_id).bind(2, f->message_id).run();
  } else if (auto* ended = std::get_if<session_ended_row>(&write)) {
    if (ended->deleted)
      sql.remove(ended->session_id);
    else
      sql.end_session.bind(1, ended->session_id).bind(2, ended->at_ms).run();
  }
}

void session_store::write(const std::vector<store_write>& batch) {
  if (batch.empty())
    return;
  auto deleted = std::any_of(batch.begin(), batch.end(), [](const store_write& w) {
    auto* ended = std::get_if<session_ended_row>(&w);
    return ended && ended->deleted;
  });
  db_->transaction([&] {
    for (const auto& write : batch)
      write_one(write);
    // A deleted session's events go at once, all of this batch's in one scan.
    if (deleted)
      sql_->delete_orphan_events.run();
  });
}

namespace {

std::vector<run_row> load_runs(sqlite::database& db, const std::string& id) {
  auto query = db.prepare("SELECT * FROM runs WHERE session_id = ?1 ORDER BY number");
  query.bind(1, id);
  std::vector<run_row> runs;
  while (query.step()) {
    run_row r;
    r.session_id = id;
    r.message_id = query.text(1);
    r.number = unsigned_of(query.integer(2));
    r.command = query.text(3);
    r.stream_mode = query.text(4);
    r.first_id = unsigned_of(query.integer(5));
    r.last_id = unsigned_of(query.integer(6));
    r.phase = static_cast<run_phase>(std::min<std::int64_t>(query.integer(7), 2));
    r.outcome = static_cast<run_outcome>(std::min<std::int64_t>(query.integer(8), 4));
    r.result = query.text(9);
    r.max_steps = unsigned_of(query.integer(10));
    r.steps = unsigned_of(query.integer(11));
    r.prompt_tokens = unsigned_of(query.integer(12));
    r.completion_tokens = unsigned_of(query.integer(13));
    r.tokens_streamed = unsigned_of(query.integer(14));
    r.created_at_ms = query.integer(15);
    r.ended_at_ms = query.integer(16);
    r.checkpoint_json = query.text(17);
    r.model_calls = unsigned_of(query.integer(18));
    r.tool_calls = unsigned_of(query.integer(19));
    r.cost_nano_usd = query.integer(20);
    runs.push_back(std::move(r));
  }
  return runs;
}

/// Each live session's newest `max_events` events, oldest first, from one
/// scan in the order they were written, and the newest id each used. A
/// session's own terminal `status: closed` (a clean shutdown's) is history
/// the restarted session does not replay: it would end every whole-session
/// stream. Its id is used up all the same.
void load_events(sqlite::database& db, std::vector<restored_session>& sessions,
                 std::size_t max_events) {
  std::unordered_map<std::string, restored_session*> live;
  std::unordered_map<std::string, std::deque<event>> newest;
  for (auto& r : sessions)
    live.emplace(r.session.id, &r);
  auto query = db.prepare(
    "SELECT session_id, id, message_id, type, terminal, data, ts FROM events "
    "ORDER BY seq");
  while (query.step()) {
    auto owner = live.find(query.text(0));
    if (owner == live.end())
      continue;
    auto id = unsigned_of(query.integer(1));
    auto& session = owner->second->session;
    session.next_id = std::max(session.next_id, id + 1);
    auto message_id = query.text(2);
    auto terminal = query.integer(4) != 0;
    auto type = parse_event_type(query.text(3));
    if (!type || (message_id.empty() && terminal))
      continue;
    auto& kept = newest[owner->first];
    kept.push_back(event{id, *type, owner->first, std::move(message_id),
                         query.text(5), terminal, query.integer(6)});
    if (kept.size() > max_events)
      kept.pop_front();
  }
  for (auto& [id, events] : newest)
    for (auto& ev : events)
      live.at(id)->events.push_back(encode(std::move(ev)));
}

/// The sessions `query` selects, with their runs and newest events.
std::vector<restored_session> load_sessions(sqlite::database& db,
                                            sqlite::statement& query,
                                            std::size_t max_events) {
  std::vector<restored_session> sessions;
  while (query.step()) {
    restored_session r;
    auto& s = r.session;
    s.id = query.text(0);
    s.title = query.text(1);
    s.client = query.text(2);
    s.created_at_ms = query.integer(3);
    s.updated_at_ms = query.integer(4);
    s.next_id = std::max<std::uint64_t>(1, unsigned_of(query.integer(5)));
    s.runs_started = unsigned_of(query.integer(6));
    r.conversation_json = query.text(7);
    r.page_url = query.text(8);
    r.page_state_json = query.text(9);
    sessions.push_back(std::move(r));
  }
  for (auto& r : sessions)
    r.runs = load_runs(db, r.session.id);
  if (!sessions.empty())
    load_events(db, sessions, max_events);
  return sessions;
}

constexpr std::string_view session_columns
  = "SELECT id, title, client, created_at, updated_at, next_id, runs_started, "
    "conversation, page_url, page_state FROM sessions ";

} // namespace

std::vector<restored_session> session_store::load(std::size_t max_events) {
  auto query = db_->prepare(std::string{session_columns}
                            + "WHERE live = 1 ORDER BY created_at, id");
  return load_sessions(*db_, query, max_events);
}

std::optional<restored_session>
session_store::revive(const std::string& session_id,
                      const std::string& message_id, std::size_t max_events) {
  auto query = db_->prepare(
    std::string{session_columns}
    + "WHERE live = 0 AND id = coalesce(nullif(?1, ''), "
      "(SELECT session_id FROM runs WHERE message_id = ?2 LIMIT 1))");
  query.bind(1, session_id).bind(2, message_id);
  auto found = load_sessions(*db_, query, max_events);
  if (found.empty())
    return std::nullopt;
  return std::move(found.front());
}

std::vector<std::string> session_store::sweep(std::int64_t cutoff_ms) {
  std::vector<std::string> old;
  auto query = db_->prepare(
    "SELECT id FROM sessions WHERE live = 0 AND ended_at < ?1");
  query.bind(1, cutoff_ms);
  while (query.step())
    old.push_back(query.text(0));
  db_->transaction([&] {
    for (const auto& id : old)
      sql_->remove(id);
    sql_->delete_orphan_events.run();
    sql_->delete_forgotten_events.run();
  });
  return old;
}

std::size_t footprint(const store_write& write) {
  struct measure {
    std::size_t operator()(const session_row& s) const {
      return sizeof(s) + s.id.size() + s.title.size() + s.client.size();
    }
    std::size_t operator()(const run_row& r) const {
      return sizeof(r) + r.command.size() + r.result.size() + r.message_id.size()
             + r.checkpoint_json.size();
    }
    std::size_t operator()(const event_row& e) const {
      return sizeof(e) + e.event->footprint();
    }
    std::size_t operator()(const conversation_row& c) const {
      return sizeof(c) + c.json.size();
    }
    std::size_t operator()(const page_row& p) const {
      return sizeof(p) + p.url.size() + p.state_json.size();
    }
    std::size_t operator()(const run_forgotten_row& f) const {
      return sizeof(f) + f.message_id.size();
    }
    std::size_t operator()(const session_ended_row& e) const {
      return sizeof(e);
    }
  };
  return std::visit(measure{}, write) + sizeof(store_write);
}

} // namespace agenttheo
