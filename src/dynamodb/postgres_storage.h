// PostgresStorage: DynamoDB's tables and items in PostgreSQL (`stator serve --store
// postgresql://...`), the source of truth that every node of a cluster shares; each node's
// memory is a cache of it that the Service brings up to date before every operation
// (cluster.cc, docs/dynamodb.md "PostgreSQL and the cluster").
//
// Schema (schema/postgresql/vNNN_*.sql, PostgresMigrations(), recorded in ddb_schema_version and
// applied under their own advisory lock):
//   ddb_catalog(id = 1, version)       -- counts table creations, deletions, definition changes
//   ddb_tables(name PRIMARY KEY, meta, table_id, version, meta_version, pruned_below)
//   ddb_items(table_name, hash_key, range_key, item, version)  -- item NULL: a tombstone
// A table's `version` counts its item commits; every item row carries the version of the commit
// that last wrote it, so "what changed since version v" is the rows with version > v (index
// (table_name, version)). A write locks its tables' rows (SELECT ... FOR UPDATE, in name order),
// writes its items with version + 1 and sets the table's version in the same transaction.
// Tombstones more than kPruneLag versions old are deleted every kPruneLag commits of a table and
// pruned_below records how far: a cache older than that reloads the table.
//
// Ownership: owns one connection (reopened when it broke), with the write transaction open on it.
// Thread-safety: not thread-safe: each user thread has its own PostgresStorage (the Service opens
// one for its writer thread and one for its reader thread, cluster_batch.cc).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/migration.h"
#include "common/postgres.h"
#include "common/result.h"
#include "dynamodb/storage.h"

namespace stator::dynamodb {

// The schema of DynamoDB in PostgreSQL in ascending version order (from schema/postgresql/).
const std::vector<stator::Migration>& PostgresMigrations();

class PostgresStorage {
 public:
  // Tombstones older than this many versions of their table are pruned (every kPruneLag commits).
  static constexpr int64_t kPruneLag = 1024;

  // What a node holds of one table: which table (table_id, "" = none yet), the version its items
  // are caught up to, and the version of its definition.
  struct Cursor {
    std::string name;
    std::string table_id;
    int64_t version = 0;
    int64_t meta_version = 0;
  };
  // One item row newer than a cursor: item absent = deleted (a tombstone).
  struct ItemRow {
    std::string hash_key;
    std::string range_key;
    std::optional<std::string> item;
  };
  // One table as stored, against a cursor.
  struct TableState {
    std::string name;
    std::string table_id;
    int64_t version = 0;
    int64_t meta_version = 0;
    std::optional<std::string> meta;  // when table_id or meta_version differ from the cursor's
    // The cursor is of another table of this name (it was recreated) or older than the pruned
    // tombstones: items are not included; catch up again from version 0 (a full load).
    bool reload = false;
    std::vector<ItemRow> items;  // version > the cursor's (live items only from version 0)
  };
  // The table list (ReadCatalog).
  struct CatalogEntry {
    std::string name;
    std::string table_id;
    int64_t meta_version = 0;
    std::string meta;
  };
  struct Catalog {
    int64_t version = 0;
    std::vector<CatalogEntry> tables;
  };

  // Connects and applies the pending migrations (one node at a time).
  static Result<std::unique_ptr<PostgresStorage>> Open(const std::string& uri);
  ~PostgresStorage();

  // The tables named by cursors that exist (one TableState each, by name) with what changed
  // since each cursor, all read in one snapshot. In a write transaction, after Begin's locks.
  Result<std::vector<TableState>> CatchUp(const std::vector<Cursor>& cursors);
  Result<int64_t> CatalogVersion();
  // The current state of the named tables that exist (name, table_id, version, meta_version;
  // no definition, no items), by name, in one snapshot: what a read compares its cache with.
  Result<std::vector<TableState>> Versions(const std::vector<std::string>& names);
  Result<Catalog> ReadCatalog();

  // A write transaction: BEGIN, then the rows of `names` (those that exist) locked in name
  // order, in one round trip; returns their state once locked (as Versions does). Ends with
  // Commit or Rollback (also when the next Begin comes).
  Result<std::vector<TableState>> Begin(const std::vector<std::string>& names);
  // In the open transaction, locks the rows of more tables without waiting (FOR UPDATE SKIP
  // LOCKED): false when one of them exists but another transaction holds it (then nothing of
  // `names` is to be used; the rows it did lock stay locked until the transaction ends).
  Result<bool> TryLock(const std::vector<std::string>& names);
  // Writes the changes of one operation (or of a batch of them) in the open transaction; the
  // item changes between two table changes go as one statement (the last change of a key wins).
  // Items of table T get version versions.at(T) + 1 (versions: each changed table's caught-up
  // version) and T's version becomes that. A kPutTable of a new table that another node created
  // meanwhile (the name is taken by another table_id) is ResourceInUseException. Sets
  // *meta_versions[name] for every table put.
  Status Write(const std::vector<Storage::Change>& changes,
               const std::map<std::string, int64_t>& versions,
               std::map<std::string, int64_t>* meta_versions);
  Status Commit();
  void Rollback();

 private:
  explicit PostgresStorage(std::string uri);
  // The connection, reopened when the last one broke (never inside a transaction).
  Result<postgres::Connection*> Conn();

  const std::string uri_;
  std::unique_ptr<postgres::Connection> conn_;
  bool in_tx_ = false;  // a write transaction is open on conn_
};

}  // namespace stator::dynamodb
