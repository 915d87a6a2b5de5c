#include "dynamodb/storage.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace stator::dynamodb {
namespace {

Error StorageError(sqlite3* db, const std::string& what) {
  return Error{"InternalServerError",
               "DynamoDB storage: " + what + ": " + (db ? sqlite3_errmsg(db) : "no database")};
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

// Binds text without copying it: the statement is stepped and reset before s goes away.
void Bind(sqlite3_stmt* stmt, int i, const std::string& s) {
  sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

void Reset(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

std::string Column(sqlite3_stmt* s, int i) {
  const unsigned char* text = sqlite3_column_text(s, i);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(s, i)))
              : std::string();
}

}  // namespace

Result<std::unique_ptr<Storage>> Storage::Open(const std::string& data_dir) {
  std::unique_ptr<Storage> s(new Storage());
  if (data_dir.empty()) return s;
  ::mkdir(data_dir.c_str(), 0755);
  std::string path = data_dir + "/dynamodb.sqlite";
  if (sqlite3_open_v2(path.c_str(), &s->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = StorageError(s->db_, "cannot open " + path);
    sqlite3_close(s->db_);
    s->db_ = nullptr;
    return e;
  }
  sqlite3_busy_timeout(s->db_, 5000);
  STATOR_RETURN_IF_ERROR(s->Exec("PRAGMA journal_mode=WAL"));
  STATOR_RETURN_IF_ERROR(s->Exec("PRAGMA synchronous=FULL"));
  STATOR_RETURN_IF_ERROR(s->Exec(
      "CREATE TABLE IF NOT EXISTS ddb_tables(name TEXT PRIMARY KEY, meta TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS ddb_items(table_name TEXT NOT NULL, hash_key TEXT NOT NULL,"
      " range_key TEXT NOT NULL, item TEXT NOT NULL,"
      " PRIMARY KEY(table_name, hash_key, range_key)) WITHOUT ROWID;"));
  if (sqlite3_prepare_v2(s->db_,
                         "INSERT OR REPLACE INTO ddb_items(table_name, hash_key, range_key, item) "
                         "VALUES(?, ?, ?, ?)",
                         -1, &s->put_item_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(
          s->db_, "DELETE FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?",
          -1, &s->delete_item_, nullptr) != SQLITE_OK) {
    return StorageError(s->db_, "prepare item statements");
  }
  return s;
}

Storage::~Storage() {
  sqlite3_finalize(put_item_);
  sqlite3_finalize(delete_item_);
  if (db_) sqlite3_close(db_);
}

Status Storage::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "";
    sqlite3_free(message);
    return Error{"InternalServerError", std::string("DynamoDB storage: ") + m};
  }
  return Status::Ok();
}

Status Storage::Load(const std::function<Status(const std::string&, const std::string&)>& on_table,
                     const std::function<Status(const std::string&, const std::string&)>& on_item) {
  if (!db_) return Status::Ok();
  {
    Statement s(db_, "SELECT name, meta FROM ddb_tables");
    if (!s.ok()) return StorageError(db_, "load tables");
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      STATOR_RETURN_IF_ERROR(on_table(Column(s.get(), 0), Column(s.get(), 1)));
    }
  }
  Statement s(db_, "SELECT table_name, item FROM ddb_items");
  if (!s.ok()) return StorageError(db_, "load items");
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    STATOR_RETURN_IF_ERROR(on_item(Column(s.get(), 0), Column(s.get(), 1)));
  }
  return Status::Ok();
}

Status Storage::Commit(const std::vector<Change>& changes) {
  if (!db_ || changes.empty()) return Status::Ok();
  STATOR_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) -> Status {
    Error e = StorageError(db_, what);
    (void)Exec("ROLLBACK");
    return e;
  };
  for (const Change& c : changes) {
    switch (c.kind) {
      case Change::Kind::kPutTable: {
        Statement s(db_, "INSERT OR REPLACE INTO ddb_tables(name, meta) VALUES(?, ?)");
        s.Bind(1, c.table);
        s.Bind(2, c.text);
        if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) return fail("put table");
        break;
      }
      case Change::Kind::kDeleteTable: {
        Statement t(db_, "DELETE FROM ddb_tables WHERE name = ?");
        t.Bind(1, c.table);
        if (!t.ok() || sqlite3_step(t.get()) != SQLITE_DONE) return fail("delete table");
        Statement i(db_, "DELETE FROM ddb_items WHERE table_name = ?");
        i.Bind(1, c.table);
        if (!i.ok() || sqlite3_step(i.get()) != SQLITE_DONE) return fail("delete table items");
        break;
      }
      case Change::Kind::kPutItem:
      case Change::Kind::kDeleteItem: {
        // The prepared statements: (table, hash, range[, item]).
        const bool put = c.kind == Change::Kind::kPutItem;
        sqlite3_stmt* stmt = put ? put_item_ : delete_item_;
        Reset(stmt);
        Bind(stmt, 1, c.table);
        Bind(stmt, 2, c.hash_key);
        Bind(stmt, 3, c.range_key);
        if (put) Bind(stmt, 4, c.text);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
          // The message is taken before the reset clears it.
          Status e = fail(put ? "put item" : "delete item");
          Reset(stmt);
          return e;
        }
        Reset(stmt);
        break;
      }
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

}  // namespace stator::dynamodb
