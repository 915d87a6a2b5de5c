#include "common/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace stator::sqlite {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, Options options) {
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw, std::move(options)));
  if (rc != SQLITE_OK) {
    return db->MakeError("open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, db->options_.busy_timeout_ms);
  if (!db->options_.read_only) {
    if (db->options_.wal) STATOR_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
    STATOR_RETURN_IF_ERROR(db->Exec(std::string("PRAGMA synchronous=") + db->options_.synchronous));
    if (db->options_.foreign_keys) STATOR_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  }
  return db;
}

Database::~Database() { sqlite3_close(db_); }

Status Database::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e = MakeError(std::string(message ? message : sqlite3_errmsg(db_)) + " in: " + sql);
    sqlite3_free(message);
    return e;
  }
  return Status::Ok();
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

Error Database::LastError(std::string_view what) const {
  return MakeError(std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : "no database"));
}

Error Database::MakeError(std::string_view message) const {
  return Error{options_.error_name, options_.error_prefix + std::string(message)};
}

// --- Statement ------------------------------------------------------------------------------

Statement::Statement(Database* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db->handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    prepare_error_ = db->LastError("prepare");
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::prepared() const {
  if (prepare_error_) return *prepare_error_;
  return Status::Ok();
}

void Statement::ResetIfStepped() {
  if (stepped_) Reset();
}

Statement& Statement::Bind(int i, std::string_view text) {
  ResetIfStepped();
  if (stmt_) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindNoCopy(int i, std::string_view text) {
  ResetIfStepped();
  if (stmt_) sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::Bind(int i, int64_t value) {
  ResetIfStepped();
  if (stmt_) sqlite3_bind_int64(stmt_, i, value);
  return *this;
}

Statement& Statement::BindOptional(int i, const std::optional<std::string>& text) {
  if (!text) return BindNull(i);
  return Bind(i, std::string_view(*text));
}

Statement& Statement::BindNull(int i) {
  ResetIfStepped();
  if (stmt_) sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::Step() {
  if (!stmt_) return *prepare_error_;
  stepped_ = true;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->LastError("step");  // taken before anything resets the statement
}

Status Statement::Run() {
  Result<bool> r = Step();
  while (r.ok() && *r) r = Step();  // a statement with rows is run to its end
  Reset();
  if (!r.ok()) return std::move(r).error();
  return Status::Ok();
}

void Statement::Reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  stepped_ = false;
}

std::string Statement::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, i)))
           : std::string();
}

int64_t Statement::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

std::optional<std::string> Statement::ColumnOptText(int i) const {
  if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
  return ColumnText(i);
}

// --- Transaction ----------------------------------------------------------------------------

Transaction::Transaction(Database* db) : db_(db) {
  if (sqlite3_exec(db->handle(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    begin_error_ = db->LastError("begin");
    done_ = true;
  }
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Begun() const {
  if (begin_error_) return *begin_error_;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (begin_error_) return *begin_error_;
  done_ = true;
  if (sqlite3_exec(db_->handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = db_->LastError("commit");
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return Status::Ok();
}

// --- Migrations -----------------------------------------------------------------------------

Result<int> SchemaVersion(Database* db) {
  Statement exists(db,
                   "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  STATOR_TRY(bool table, exists.Step());
  if (!table) return 0;
  Statement s(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  STATOR_TRY(bool row, s.Step());
  return row ? static_cast<int>(s.ColumnInt(0)) : 0;
}

Result<int> Migrate(Database* db, std::span<const Migration> migrations) {
  STATOR_RETURN_IF_ERROR(
      db->Exec("CREATE TABLE IF NOT EXISTS schema_version ("
               "version INTEGER NOT NULL PRIMARY KEY, file TEXT NOT NULL, "
               "applied_at_ms INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * "
               "86400000 AS INTEGER)))"));
  STATOR_TRY(int current, SchemaVersion(db));
  return ApplyPendingMigrations(
      current, migrations,
      [db](const Migration& m) -> Status {
        Transaction tx(db);
        STATOR_RETURN_IF_ERROR(tx.Begun());
        STATOR_RETURN_IF_ERROR(db->Exec(std::string(m.sql)));
        Statement record(db, "INSERT INTO schema_version (version, file) VALUES (?1, ?2)");
        STATOR_RETURN_IF_ERROR(record.Bind(1, int64_t{m.version}).Bind(2, m.file).Run());
        return tx.Commit();
      },
      [db](std::string message) { return db->MakeError(message); });
}

}  // namespace stator::sqlite
