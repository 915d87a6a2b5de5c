#include "dynamodb/postgres_storage.h"

#include <set>
#include <string_view>
#include <tuple>

namespace stator::dynamodb {

using postgres::Param;
using postgres::Rows;

namespace {

// DynamoDB's advisory lock for migrations ("ddb" + 1), apart from the store's.
constexpr int64_t kMigrationLock = 0x0064646231;

postgres::Options ErrorOptions() {
  postgres::Options o;
  o.error_name = "InternalServerError";
  o.error_prefix = "DynamoDB storage: ";
  return o;
}

// A PostgreSQL array literal ({"a","b"}) of texts.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (int64_t v : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(v);
  }
  return out + "}";
}

// The cursor names its table (table_id "" names whichever exists) and is not older than the
// pruned tombstones; otherwise the table is reloaded.
constexpr const char* kCurrent =
    "(m.table_id = '' OR t.table_id = m.table_id) AND (m.version = 0 OR m.version >= "
    "t.pruned_below)";

}  // namespace

PostgresStorage::PostgresStorage(std::string uri) : uri_(std::move(uri)) {}

PostgresStorage::~PostgresStorage() = default;

Result<std::unique_ptr<PostgresStorage>> PostgresStorage::Open(const std::string& uri) {
  std::unique_ptr<PostgresStorage> s(new PostgresStorage(uri));
  STATOR_TRY(postgres::Connection * conn, s->Conn());
  STATOR_TRY(int version,
             postgres::Migrate(conn, PostgresMigrations(), "ddb_schema_version", kMigrationLock));
  (void)version;
  return s;
}

Result<postgres::Connection*> PostgresStorage::Conn() {
  if (conn_ == nullptr || (!conn_->ok() && !in_tx_)) {
    conn_.reset();
    STATOR_TRY(conn_, postgres::Connection::Open(uri_, ErrorOptions()));
  }
  return conn_.get();
}

Result<std::vector<PostgresStorage::TableState>> PostgresStorage::CatchUp(
    const std::vector<Cursor>& cursors) {
  std::vector<TableState> out;
  if (cursors.empty()) return out;
  STATOR_TRY(postgres::Connection * conn, Conn());
  std::vector<std::string> names, ids;
  std::vector<int64_t> versions, meta_versions;
  for (const Cursor& c : cursors) {
    names.push_back(c.name);
    ids.push_back(c.table_id);
    versions.push_back(c.version);
    meta_versions.push_back(c.meta_version);
  }
  std::string a = TextArray(names), b = TextArray(ids), c = IntArray(versions),
              d = IntArray(meta_versions);
  // One statement: one snapshot for every table. Rows with a NULL hash_key are a table
  // without new items.
  STATOR_TRY(
      Rows rows,
      conn->Run(
          "ddb_catch_up",
          std::string("SELECT t.name, t.table_id, t.version, t.meta_version, "
                      "CASE WHEN t.table_id <> m.table_id OR t.meta_version <> m.meta_version "
                      "THEN t.meta END, NOT (") +
              kCurrent +
              "), i.hash_key, i.range_key, i.item "
              "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) "
              "AS m(name, table_id, version, meta_version) "
              "JOIN ddb_tables t ON t.name = m.name "
              "LEFT JOIN ddb_items i ON i.table_name = t.name AND i.version > m.version AND " +
              kCurrent +
              " AND (i.item IS NOT NULL OR m.version > 0) "
              "ORDER BY t.name",
          {Param::Text(a), Param::Text(b), Param::Text(c), Param::Text(d)}));
  for (int r = 0; r < rows.size(); ++r) {
    std::string_view name = rows.Text(r, 0);
    if (out.empty() || out.back().name != name) {
      TableState s;
      s.name = std::string(name);
      s.table_id = std::string(rows.Text(r, 1));
      s.version = rows.Int(r, 2);
      s.meta_version = rows.Int(r, 3);
      if (!rows.IsNull(r, 4)) s.meta = rows.Bytes(r, 4);
      s.reload = rows.Bool(r, 5);
      out.push_back(std::move(s));
    }
    if (rows.IsNull(r, 6)) continue;
    ItemRow item;
    item.hash_key = rows.Bytes(r, 6);
    item.range_key = rows.Bytes(r, 7);
    if (!rows.IsNull(r, 8)) item.item = rows.Bytes(r, 8);
    out.back().items.push_back(std::move(item));
  }
  return out;
}

Result<int64_t> PostgresStorage::CatalogVersion() {
  STATOR_TRY(postgres::Connection * conn, Conn());
  STATOR_TRY(Rows rows, conn->Run("ddb_catalog_version", "SELECT version FROM ddb_catalog"));
  if (rows.empty()) return conn->MakeError("the catalog row is missing");
  return rows.Int(0, 0);
}

Result<std::vector<PostgresStorage::TableState>> PostgresStorage::Versions(
    const std::vector<std::string>& names) {
  std::vector<TableState> out;
  if (names.empty()) return out;
  STATOR_TRY(postgres::Connection * conn, Conn());
  std::string list = TextArray(names);
  STATOR_TRY(Rows rows, conn->Run("ddb_versions",
                                  "SELECT name, table_id, version, meta_version FROM ddb_tables "
                                  "WHERE name = ANY($1::text[]) ORDER BY name",
                                  {Param::Text(list)}));
  for (int r = 0; r < rows.size(); ++r) {
    TableState s;
    s.name = std::string(rows.Text(r, 0));
    s.table_id = std::string(rows.Text(r, 1));
    s.version = rows.Int(r, 2);
    s.meta_version = rows.Int(r, 3);
    out.push_back(std::move(s));
  }
  return out;
}

Result<PostgresStorage::Catalog> PostgresStorage::ReadCatalog() {
  STATOR_TRY(postgres::Connection * conn, Conn());
  // One statement, one snapshot: the version goes with the list.
  STATOR_TRY(Rows rows, conn->Query("SELECT c.version, t.name, t.table_id, t.meta_version, t.meta "
                                    "FROM ddb_catalog c LEFT JOIN ddb_tables t ON true"));
  Catalog out;
  for (int r = 0; r < rows.size(); ++r) {
    out.version = rows.Int(r, 0);
    if (rows.IsNull(r, 1)) continue;
    CatalogEntry e;
    e.name = std::string(rows.Text(r, 1));
    e.table_id = std::string(rows.Text(r, 2));
    e.meta_version = rows.Int(r, 3);
    e.meta = rows.Bytes(r, 4);
    out.tables.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<PostgresStorage::TableState>> PostgresStorage::Begin(
    const std::vector<std::string>& names) {
  Rollback();
  STATOR_TRY(postgres::Connection * conn, Conn());
  // BEGIN and the lock in one round trip (the simple-query protocol runs both): the names go
  // as a string literal, its quotes doubled.
  std::string literal;
  for (char c : TextArray(names)) {
    if (c == '\'') literal += c;
    literal += c;
  }
  in_tx_ = true;
  Result<Rows> rows = conn->ExecRows(
      "BEGIN; SELECT name, table_id, version, meta_version FROM ddb_tables WHERE name = ANY('" +
      literal + "'::text[]) ORDER BY name FOR UPDATE");
  if (!rows.ok()) {
    Rollback();
    return rows.error();
  }
  std::vector<TableState> out;
  for (int r = 0; r < rows->size(); ++r) {
    TableState s;
    s.name = std::string(rows->Text(r, 0));
    s.table_id = std::string(rows->Text(r, 1));
    s.version = rows->Int(r, 2);
    s.meta_version = rows->Int(r, 3);
    out.push_back(std::move(s));
  }
  return out;
}

Result<bool> PostgresStorage::TryLock(const std::vector<std::string>& names) {
  if (!in_tx_) return Error{"InternalServerError", "DynamoDB storage: no transaction"};
  std::string list = TextArray(names);
  // One snapshot: the rows locked now against the rows that exist (a plain SELECT does not
  // wait for locks).
  STATOR_TRY(Rows rows,
             conn_->Run("ddb_try_lock",
                        "WITH l AS (SELECT name FROM ddb_tables WHERE name = ANY($1::text[]) "
                        "FOR UPDATE SKIP LOCKED) SELECT (SELECT count(*) FROM l), "
                        "(SELECT count(*) FROM ddb_tables WHERE name = ANY($1::text[]))",
                        {Param::Text(list)}));
  if (rows.empty()) return conn_->MakeError("no row from the lock");
  return rows.Int(0, 0) == rows.Int(0, 1);
}

namespace {

// The item changes changes[begin, end) as one upsert: the last change of each key wins (a
// statement may not touch a row twice). The same statement sets the run's tables' versions.
Status UpsertItems(postgres::Connection* conn, const std::vector<Storage::Change>& changes,
                   size_t begin, size_t end, const std::map<std::string, int64_t>& versions,
                   std::set<std::string>* bumped) {
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>, size_t> last;
  for (size_t i = begin; i < end; ++i) {
    const Storage::Change& c = changes[i];
    last[{c.table, c.hash_key, c.range_key}] = i;
  }
  postgres::Array table(postgres::Array::Of::kText), hash(postgres::Array::Of::kBytea),
      range(postgres::Array::Of::kBytea), item(postgres::Array::Of::kBytea),
      version(postgres::Array::Of::kInt8);
  for (const auto& [key, i] : last) {
    const Storage::Change& c = changes[i];
    auto v = versions.find(c.table);
    if (v == versions.end()) return conn->MakeError("no version for table " + c.table);
    table.Add(c.table);
    hash.Add(c.hash_key);
    range.Add(c.range_key);
    if (c.kind == Storage::Change::Kind::kPutItem) {
      item.Add(c.text);
    } else {
      item.AddNull();
    }
    version.Add(v->second + 1);
    bumped->insert(c.table);
  }
  // The tables of this run, each with its next version.
  postgres::Array names(postgres::Array::Of::kText), next(postgres::Array::Of::kInt8);
  std::set<std::string> run;
  for (const auto& [key, i] : last) run.insert(changes[i].table);
  for (const std::string& name : run) {
    names.Add(name);
    next.Add(versions.at(name) + 1);  // present: checked above
  }
  STATOR_TRY(Rows r,
             conn->Run("ddb_put_items",
                       "WITH v AS (UPDATE ddb_tables t SET version = u.version "
                       "FROM unnest($6::text[], $7::int8[]) AS u(name, version) "
                       "WHERE t.name = u.name) "
                       "INSERT INTO ddb_items(table_name, hash_key, range_key, item, version) "
                       "SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[], "
                       "$5::int8[]) "
                       "ON CONFLICT (table_name, hash_key, range_key) DO UPDATE "
                       "SET item = EXCLUDED.item, version = EXCLUDED.version",
                       {table.param(), hash.param(), range.param(), item.param(), version.param(),
                        names.param(), next.param()}));
  return Status::Ok();
}

bool IsItemChange(const Storage::Change& c) {
  return c.kind == Storage::Change::Kind::kPutItem || c.kind == Storage::Change::Kind::kDeleteItem;
}

}  // namespace

Status PostgresStorage::Write(const std::vector<Storage::Change>& changes,
                              const std::map<std::string, int64_t>& versions,
                              std::map<std::string, int64_t>* meta_versions) {
  if (!in_tx_) return Error{"InternalServerError", "DynamoDB storage: no transaction"};
  postgres::Connection* conn = conn_.get();
  std::set<std::string> bumped;
  bool catalog = false;
  for (size_t i = 0; i < changes.size(); ++i) {
    const Storage::Change& c = changes[i];
    if (IsItemChange(c)) {
      size_t end = i;
      while (end < changes.size() && IsItemChange(changes[end])) ++end;
      STATOR_RETURN_IF_ERROR(UpsertItems(conn, changes, i, end, versions, &bumped));
      i = end - 1;
      continue;
    }
    switch (c.kind) {
      case Storage::Change::Kind::kPutItem:
      case Storage::Change::Kind::kDeleteItem:
        break;  // not reached: written in runs above
      case Storage::Change::Kind::kPutTable: {
        // A new name inserts (meta_version 1); the same table updates its definition; a name
        // taken by another table meanwhile returns no row.
        STATOR_TRY(
            Rows r,
            conn->Run("ddb_put_table",
                      "INSERT INTO ddb_tables(name, meta, table_id) VALUES ($1, $2, $3) "
                      "ON CONFLICT (name) DO UPDATE SET meta = EXCLUDED.meta, "
                      "meta_version = ddb_tables.meta_version + 1 "
                      "WHERE ddb_tables.table_id = EXCLUDED.table_id "
                      "RETURNING meta_version",
                      {Param::Text(c.table), Param::Bytes(c.text), Param::Text(c.table_id)}));
        if (r.empty()) {
          return Error{"ResourceInUseException", "Table already exists: " + c.table};
        }
        (*meta_versions)[c.table] = r.Int(0, 0);
        catalog = true;
        break;
      }
      case Storage::Change::Kind::kDeleteTable: {
        STATOR_TRY(Rows items,
                   conn->Run("ddb_delete_items", "DELETE FROM ddb_items WHERE table_name = $1",
                             {Param::Text(c.table)}));
        STATOR_TRY(Rows table,
                   conn->Run("ddb_delete_table", "DELETE FROM ddb_tables WHERE name = $1",
                             {Param::Text(c.table)}));
        bumped.erase(c.table);
        catalog = true;
        break;
      }
    }
  }
  for (const std::string& name : bumped) {
    int64_t version = versions.at(name) + 1;  // set with the items (UpsertItems)
    if (version % kPruneLag == 0) {
      // The tombstones every cache newer than `below` has seen; older caches reload.
      int64_t below = version - kPruneLag;
      STATOR_TRY(Rows pruned,
                 conn->Run("ddb_prune",
                           "WITH gone AS (DELETE FROM ddb_items WHERE table_name = $1 AND "
                           "item IS NULL AND version < $2) "
                           "UPDATE ddb_tables SET pruned_below = $2 WHERE name = $1",
                           {Param::Text(name), Param::Int(below)}));
    }
  }
  if (catalog) {
    STATOR_TRY(Rows r,
               conn->Run("ddb_bump_catalog", "UPDATE ddb_catalog SET version = version + 1"));
  }
  return Status::Ok();
}

Status PostgresStorage::Commit() {
  if (!in_tx_) return Error{"InternalServerError", "DynamoDB storage: no transaction"};
  in_tx_ = false;
  Status s = conn_->Exec("COMMIT");
  if (!s.ok()) (void)conn_->Exec("ROLLBACK");
  return s;
}

void PostgresStorage::Rollback() {
  if (!in_tx_) return;
  in_tx_ = false;
  (void)conn_->Exec("ROLLBACK");
}

}  // namespace stator::dynamodb
