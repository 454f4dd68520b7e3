#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace agenttheo::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int code) {
  throw failure{code & 0xff, db ? sqlite3_errmsg(db) : sqlite3_errstr(code)};
}

void check(sqlite3* db, int code) {
  if (code != SQLITE_OK)
    fail(db, code);
}

} // namespace

statement::statement(statement&& other) noexcept
  : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {
}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement& statement::bind(int index, std::int64_t value) {
  check(db_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

statement& statement::bind_in_place(int index, std::string_view text) {
  check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                                 SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

statement& statement::bind_blob(int index, std::string_view bytes) {
  check(db_, sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(),
                                 SQLITE_TRANSIENT));
  return *this;
}

statement& statement::bind_null(int index) {
  check(db_, sqlite3_bind_null(stmt_, index));
  return *this;
}

bool statement::step() {
  auto code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW)
    return true;
  if (code == SQLITE_DONE)
    return false;
  sqlite3_reset(stmt_);
  fail(db_, code);
}

void statement::run() {
  step();
  reset();
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string statement::text(int column) const {
  auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  auto size = sqlite3_column_bytes(stmt_, column);
  return bytes ? std::string{bytes, static_cast<std::size_t>(size)} : std::string{};
}

bool statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::unique_ptr<database> database::open(const std::string& path) {
  sqlite3* db = nullptr;
  auto code = sqlite3_open_v2(path.c_str(), &db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                | SQLITE_OPEN_NOMUTEX,
                              nullptr);
  if (code != SQLITE_OK) {
    failure why{code & 0xff, db ? sqlite3_errmsg(db) : sqlite3_errstr(code)};
    sqlite3_close(db);
    throw why;
  }
  sqlite3_extended_result_codes(db, 0);
  return std::unique_ptr<database>{new database{db}};
}

database::~database() {
  sqlite3_close_v2(db_);
}

void database::exec(std::string_view sql) {
  std::string text{sql};
  check(db_, sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr));
}

statement database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  check(db_, sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr));
  return {db_, stmt};
}

std::int64_t database::scalar(std::string_view sql) {
  auto query = prepare(sql);
  return query.step() ? query.integer(0) : 0;
}

std::int64_t database::changes() const {
  return sqlite3_changes64(db_);
}

bool is_locked(const failure& f) {
  return f.code == SQLITE_BUSY || f.code == SQLITE_LOCKED;
}

bool is_corrupt(const failure& f) {
  return f.code == SQLITE_NOTADB || f.code == SQLITE_CORRUPT;
}

} // namespace agenttheo::sqlite
