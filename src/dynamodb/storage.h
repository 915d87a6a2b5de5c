// Storage: where DynamoDB tables and items are kept on disk.
//
// One SQLite file, DATA_DIR/dynamodb.sqlite (WAL journal, synchronous=FULL: a commit is on disk
// when Commit returns, one fsync per Commit however many changes it holds), with two tables:
//   ddb_tables(name PRIMARY KEY, meta)                      -- meta: the table's definition (JSON)
//   ddb_items(table_name, hash_key, range_key, item)        -- item: the item in wire JSON
// keyed by (table_name, hash_key, range_key), where the keys are EncodeKey() texts ("S:abc",
// "N:1.5", "B:<base64>"; range_key "" for tables without a sort key). Ordering for Query is kept
// in memory (see service.h), so the stored keys need not sort.
//
// With an empty data dir nothing is stored (Commit succeeds at once, Load finds nothing).
//
// Ownership: owns the SQLite connection and its prepared item statements.
// Thread-safety: not thread-safe. The Service calls Load once while it opens; after that only
// its GroupCommit writer thread calls Commit (group_commit.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace stator::dynamodb {

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
  Status Exec(const char* sql);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_item_ = nullptr;  // prepared once: the hot path of every item write
  sqlite3_stmt* delete_item_ = nullptr;
};

}  // namespace stator::dynamodb
