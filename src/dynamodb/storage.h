// Storage: where DynamoDB tables and items are kept on disk.
//
// One SQLite file, DATA_DIR/dynamodb.sqlite (WAL journal, synchronous=FULL: a commit is on disk
// when Commit returns, one fsync per Commit however many changes it holds), reached through
// common/sqlite.h, with two tables:
//   ddb_tables(name PRIMARY KEY, meta)                      -- meta: the table's definition (JSON)
//   ddb_items(table_name, hash_key, range_key, item)        -- item: the item in wire JSON
// keyed by (table_name, hash_key, range_key), where the keys are EncodeKey() texts ("S:abc",
// "N:1.5", "B:<base64>"; range_key "" for tables without a sort key). Ordering for Query is kept
// in memory (see service.h), so the stored keys need not sort. The schema is versioned like the
// store's: migrations schema/vNNN_<what>.sql (StorageMigrations), recorded in schema_version;
// Open applies the pending ones and refuses a file written by a newer build.
//
// With an empty data dir nothing is stored (Commit succeeds at once, Load finds nothing).
//
// Ownership: owns the SQLite connection and its prepared item statements.
// Thread-safety: not thread-safe. The Service calls Load once while it opens; after that only
// its GroupCommit writer thread calls Commit (common/group_commit.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sqlite.h"

namespace stator::dynamodb {

// The schema of dynamodb.sqlite in ascending version order (generated from schema/v*.sql).
const std::vector<sqlite::Migration>& StorageMigrations();

class Storage {
 public:
  // One change of a commit.
  struct Change {
    enum class Kind : uint8_t { kPutTable, kDeleteTable, kPutItem, kDeleteItem };
    Kind kind = Kind::kPutItem;
    std::string table;
    std::string hash_key;   // items
    std::string range_key;  // items
    std::string text;       // kPutTable: meta; kPutItem: item JSON
    std::string table_id;   // kPutTable: the table's TableId (PostgresStorage keys on it)
  };

  // data_dir "" = nothing persisted. Creates the directory's file and schema when needed.
  static Result<std::unique_ptr<Storage>> Open(const std::string& data_dir);
  ~Storage();

  // Calls on_table(name, meta) for every table, then on_item(table, item) for every item.
  Status Load(const std::function<Status(const std::string&, const std::string&)>& on_table,
              const std::function<Status(const std::string&, const std::string&)>& on_item);

  // Applies the changes, in order, in one transaction, durably (all or none of them).
  Status Commit(const std::vector<Change>& changes);

  bool persistent() const { return db_ != nullptr; }

 private:
  Storage() = default;

  std::unique_ptr<sqlite::Database> db_;
  // Prepared once: the hot path of every item write. Declared after db_: finalized first.
  std::unique_ptr<sqlite::Statement> put_item_;
  std::unique_ptr<sqlite::Statement> delete_item_;
};

}  // namespace stator::dynamodb
