#pragma once

// A thin RAII layer over SQLite's C API: one connection, prepared
// statements that reset themselves, and errors as text. Only the store
// thread touches a connection.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace agenttheo::sqlite {

/// A prepared statement. `bind` numbers from 1, `column` from 0; `step`
/// says whether a row is there to read. Reusable after `reset`.
class statement {
public:
  statement() = default;
  statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {
  }
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view text);
  /// Text that stays alive and unchanged until the statement is reset
  /// (`run` resets it): SQLite reads it where it is instead of copying it,
  /// an allocation and a copy less for each of an event row's texts.
  statement& bind_in_place(int index, std::string_view text);
  statement& bind_blob(int index, std::string_view bytes);
  statement& bind_null(int index);

  /// True while a row is there; throws sqlite::failure on an error.
  bool step();
  /// Runs a statement that returns no row, then resets it.
  void run();
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// What SQLite said when a call failed, with its primary result code.
struct failure {
  int code = 0;
  std::string message;
};

/// One connection. Every call throws sqlite::failure on an error: the
/// store catches at its edges (opening, a flush) and reports it.
class database {
public:
  /// Opens (and creates) `path` for reading and writing.
  static std::unique_ptr<database> open(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  void exec(std::string_view sql);

  /// Runs `body` in one transaction (opened with `begin`): committed, or
  /// rolled back when it throws.
  template <class Body>
  void transaction(Body&& body, std::string_view begin = "BEGIN") {
    exec(begin);
    try {
      body();
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }

  statement prepare(std::string_view sql);
  /// The single integer a query such as `PRAGMA user_version` answers.
  std::int64_t scalar(std::string_view sql);
  std::int64_t changes() const;

private:
  explicit database(sqlite3* db) : db_(db) {
  }
  sqlite3* db_;
};

/// SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock.
bool is_locked(const failure& f);
/// SQLITE_NOTADB or SQLITE_CORRUPT.
bool is_corrupt(const failure& f);

} // namespace agenttheo::sqlite
