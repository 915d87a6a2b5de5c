// Storage: where DynamoDB tables and items are kept on disk.
//
// One SQLite file, DATA_DIR/dynamodb.sqlite (WAL journal, synchronous=FULL: a commit is on disk
// when Commit returns), with two tables:
//   ddb_tables(name PRIMARY KEY, meta)                      -- meta: the table's definition (JSON)
//   ddb_items(table_name, hash_key, range_key, item)        -- item: the item in wire JSON
// keyed by (table_name, hash_key, range_key), where the keys are EncodeKey() texts ("S:abc",
// "N:1.5", "B:<base64>"; range_key "" for tables without a sort key). Ordering for Query is kept
// in memory (see service.h), so the stored keys need not sort.
//
// With an empty data dir nothing is stored (Commit succeeds at once, Load finds nothing).
//
// Ownership: owns the SQLite connection.
// Thread-safety: not thread-safe; the Service calls it under its own lock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

struct sqlite3;

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

  // Applies the changes in one transaction, durably.
  Status Commit(const std::vector<Change>& changes);

  bool persistent() const { return db_ != nullptr; }

 private:
  Storage() = default;
  Status Exec(const char* sql);

  sqlite3* db_ = nullptr;
};

}  // namespace stator::dynamodb
