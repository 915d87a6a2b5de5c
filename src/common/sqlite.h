// sqlite: the one way stator talks to SQLite (the store's stator.db, DynamoDB's dynamodb.sqlite).
//
// Database opens a file with the PRAGMAs stator relies on (WAL journal, synchronous=FULL, a busy
// timeout, foreign keys when asked) and turns SQLite's failures into Errors worded for its user
// (Options::error_name and error_prefix). Statement is a prepared statement with typed binds and
// column reads; it is finalized when destroyed, and binding it again after a step resets it first,
// so a statement kept for reuse never carries an old row or binding. Transaction is BEGIN
// IMMEDIATE ... COMMIT, rolled back when it goes out of scope uncommitted. Migrate applies
// versioned schema scripts (Migration), each in its own transaction, and records them in a
// `schema_version` table.
//
// Ownership: a Database owns its connection; Statements and Transactions borrow the Database,
// which must outlive them.
// Thread-safety: none of these objects is thread-safe; a connection (with its statements) is used
// by one thread at a time, which the user serializes (connections are opened with
// SQLITE_OPEN_NOMUTEX).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/migration.h"
#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace stator::sqlite {

struct Options {
  bool read_only = false;  // else opened read-write, the file created when missing
  // The PRAGMAs below apply to read-write connections only (a reader takes the file's).
  bool wal = true;                   // journal_mode=WAL
  const char* synchronous = "FULL";  // synchronous=...: FULL makes a commit durable
  bool foreign_keys = false;         // foreign_keys=ON
  int busy_timeout_ms = 5000;        // how long a statement waits for another connection's lock
  // Errors read Error{error_name, error_prefix + what + ": " + SQLite's message}.
  std::string error_name = "sqlite.Error";
  std::string error_prefix;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Options options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(const std::string& sql);

  // An Error about `what` with the connection's last SQLite message.
  Error LastError(std::string_view what) const;
  // An Error worded like the others, with `message` as the details.
  Error MakeError(std::string_view message) const;

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;

  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, Options options) : db_(db), options_(std::move(options)) {}

  sqlite3* db_;
  const Options options_;
};

class Statement {
 public:
  // Prepares `sql`; a failure is kept and returned by the first Step or Run.
  Statement(Database* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Ok, or why preparing failed.
  Status prepared() const;

  // Binds parameter i (1-based). Text is copied, except by BindNoCopy, whose text must stay
  // alive until the statement is stepped to its end and reset (Run does both).
  Statement& Bind(int i, std::string_view text);
  Statement& BindNoCopy(int i, std::string_view text);
  Statement& Bind(int i, int64_t value);
  Statement& BindOptional(int i, const std::optional<std::string>& text);  // NULL for nullopt
  Statement& BindNull(int i);

  // Steps once: true with a row to read, false when done, or an error.
  Result<bool> Step();
  // Steps to the end of a statement that returns no rows, then resets it (ready for reuse, its
  // read or write lock released).
  Status Run();
  // Makes the statement ready to be bound and run again, releasing what it holds.
  void Reset();

  // Columns of the current row (0-based).
  std::string ColumnText(int i) const;
  int64_t ColumnInt(int i) const;
  std::optional<std::string> ColumnOptText(int i) const;  // nullopt for NULL

 private:
  void ResetIfStepped();

  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::optional<Error> prepare_error_;
  bool stepped_ = false;
};

// BEGIN IMMEDIATE (the write lock, waited for up to the busy timeout) ... COMMIT.
class Transaction {
 public:
  explicit Transaction(Database* db);
  // Rolls back unless Commit was called.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Ok, or why BEGIN failed (then nothing is to be done in this transaction).
  Status Begun() const;
  // COMMIT; when it fails the transaction is rolled back.
  Status Commit();

 private:
  Database* db_;
  std::optional<Error> begin_error_;
  bool done_ = false;
};

using Migration = ::stator::Migration;  // common/migration.h

// The highest version recorded in schema_version (0 when the table is missing or empty).
Result<int> SchemaVersion(Database* db);

// Brings the database to the last of `migrations` (ascending versions): creates schema_version
// if needed, then applies every migration above the recorded version, each in one transaction
// with its row in schema_version(version, file, applied_at_ms). Refuses a database whose
// recorded version is above the last migration (written by a newer build). Returns the version.
Result<int> Migrate(Database* db, std::span<const Migration> migrations);

}  // namespace stator::sqlite
