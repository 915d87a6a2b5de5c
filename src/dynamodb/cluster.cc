// The Service on PostgreSQL (`--store postgresql://...`), where several nodes share the tables:
// PostgreSQL holds the truth and each node's memory is a cache of it, brought up to date before
// every operation. This file: which tables a call names, the catch-up (one query: the versions,
// definitions and item rows newer than the node's) and the table list, and the transaction of a
// table change (CreateTable, ...): lock its tables' rows in name order, catch up, run in memory,
// write with the next table version, commit before the answer; after any failure once memory
// may have changed, its tables are dropped from memory and reloaded at next use, so memory never
// holds a write PostgreSQL does not. How reads and item writes run, in groups and batches, is in
// cluster_batch.cc.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/base64.h"
#include "dynamodb/service_impl.h"

namespace stator::dynamodb {
namespace {

// A name CreateTable would accept (others name no table and are not looked up).
bool ValidTableName(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void AddName(const json::Value* v, std::set<std::string>* names) {
  if (v && v->is_string() && ValidTableName(v->as_string())) names->insert(v->as_string());
}

}  // namespace

bool IsItemWrite(std::string_view op) {
  for (const char* w :
       {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}) {
    if (op == w) return true;
  }
  return false;
}

bool IsWrite(std::string_view op) {
  if (IsItemWrite(op)) return true;
  for (const char* w :
       {"CreateTable", "DeleteTable", "UpdateTable", "TagResource", "UntagResource"}) {
    if (op == w) return true;
  }
  return false;
}

// TableName, RequestItems' keys, TransactItems' TableNames, the table of a ResourceArn.
std::vector<std::string> TablesOf(const json::Value& req) {
  std::set<std::string> names;
  AddName(req.Find("TableName"), &names);
  if (const json::Value* items = req.Find("RequestItems"); items && items->is_object()) {
    for (const auto& [name, unused] : items->as_object()) {
      if (ValidTableName(name)) names.insert(name);
    }
  }
  if (const json::Value* items = req.Find("TransactItems"); items && items->is_array()) {
    for (const json::Value& entry : items->as_array()) {
      if (!entry.is_object()) continue;
      for (const auto& [kind, body] : entry.as_object()) {
        if (body.is_object()) AddName(body.Find("TableName"), &names);
      }
    }
  }
  if (const json::Value* arn = req.Find("ResourceArn"); arn && arn->is_string()) {
    const std::string& a = arn->as_string();
    size_t at = a.find(":table/");
    if (at != std::string::npos && ValidTableName(a.substr(at + 7))) {
      names.insert(a.substr(at + 7));
    }
  }
  return {names.begin(), names.end()};
}

namespace {

Error StorageError(std::string message) {
  return Error{"InternalServerError", "DynamoDB storage: " + std::move(message)};
}

Result<TableMeta> ParseMeta(const std::string& text) {
  STATOR_TRY(json::Value v, json::Parse(text));
  return TableMeta::FromJson(v);
}

// The key value an EncodeKey text stands for ("" = none: hash-only tables).
Result<AttrValue> DecodeKey(std::string_view text) {
  if (text.empty()) return AttrValue::Null();
  if (text.size() < 2 || text[1] != ':') return StorageError("bad stored key");
  std::string_view rest = text.substr(2);
  switch (text[0]) {
    case 'S':
      return AttrValue::String(std::string(rest));
    case 'N':
      return AttrValue::Num(std::string(rest));
    case 'B': {
      STATOR_TRY(std::string bytes, Base64Decode(rest));
      return AttrValue::Binary(std::move(bytes));
    }
    default:
      return StorageError("bad stored key");
  }
}

}  // namespace

Result<json::Value> Service::Impl::RunInCluster(std::string_view op, const json::Value& req) {
  if (!req.is_object()) return Dispatch(op, req);
  std::vector<std::string> names = TablesOf(req);
  if (!IsWrite(op) || names.empty()) {
    STATOR_RETURN_IF_ERROR(CatchUp(names, postgres.get()));
    return Dispatch(op, req);  // a write naming no table fails validation before it writes
  }
  for (int attempt = 1;; ++attempt) {
    Result<json::Value> r = WriteInCluster(op, req, names);
    // A deadlock or serialization failure (none expected: locks are taken in name order) is
    // run again from the start.
    if (r.ok() || attempt == 3 || !postgres::IsRetryable(r.error())) return r;
    extras.clear();
  }
}

Result<json::Value> Service::Impl::WriteInCluster(std::string_view op, const json::Value& req,
                                                  const std::vector<std::string>& names) {
  STATOR_TRY(std::vector<PostgresStorage::TableState> locked, postgres->Begin(names));
  (void)locked;  // caught up below whatever the versions
  if (Status s = CatchUp(names, postgres.get()); !s.ok()) {
    postgres->Rollback();
    return s.error();
  }
  std::vector<Storage::Change> changes;
  collecting = &changes;
  Result<json::Value> r = Dispatch(op, req);
  collecting = nullptr;
  if (!r.ok() || changes.empty()) {
    // Nothing to write (a failed condition, a delete of nothing): the locks go.
    postgres->Rollback();
    if (!changes.empty()) Forget(names);
    return r;
  }
  std::map<std::string, int64_t> versions;  // of the tables whose items change
  for (const Storage::Change& c : changes) {
    if (c.kind != Storage::Change::Kind::kPutItem && c.kind != Storage::Change::Kind::kDeleteItem)
      continue;
    auto t = tables.find(c.table);
    if (t != tables.end()) versions.emplace(c.table, t->second.version);
  }
  std::map<std::string, int64_t> meta_versions;
  Status s = postgres->Write(changes, versions, &meta_versions);
  if (s.ok()) s = postgres->Commit();
  if (!s.ok()) {
    postgres->Rollback();
    Forget(names);
    return s.error();
  }
  for (const auto& [name, version] : versions) {
    if (auto t = tables.find(name); t != tables.end()) t->second.version = version + 1;
  }
  for (const auto& [name, meta_version] : meta_versions) {
    if (auto t = tables.find(name); t != tables.end()) t->second.meta_version = meta_version;
  }
  return r;
}

Status Service::Impl::CatchUp(const std::vector<std::string>& names, PostgresStorage* pg) {
  std::vector<std::string> todo = names;
  // A table recreated (or pruned) under a cursor is loaded afresh in the next round; a third
  // round means it keeps being recreated.
  for (int round = 0; !todo.empty(); ++round) {
    if (round == 3) return StorageError("table " + todo[0] + " keeps being recreated");
    std::vector<PostgresStorage::Cursor> cursors;
    for (const std::string& name : todo) {
      PostgresStorage::Cursor c;
      c.name = name;
      if (auto t = tables.find(name); t != tables.end()) {
        c.table_id = t->second.meta.table_id;
        c.version = t->second.version;
        c.meta_version = t->second.meta_version;
      }
      cursors.push_back(std::move(c));
    }
    STATOR_TRY(std::vector<PostgresStorage::TableState> states, pg->CatchUp(cursors));
    std::vector<std::string> again;
    auto state = states.begin();
    for (const std::string& name : todo) {  // both sorted by name
      while (state != states.end() && state->name < name) ++state;
      if (state == states.end() || state->name != name) {
        tables.erase(name);  // deleted (or never created)
        continue;
      }
      auto it = tables.find(name);
      if (state->reload || it == tables.end() || it->second.meta.table_id != state->table_id) {
        Table fresh;
        if (state->meta) {
          STATOR_TRY(fresh.meta, ParseMeta(*state->meta));
        } else if (it != tables.end()) {
          fresh.meta = std::move(it->second.meta);
        } else {
          return StorageError("no definition read for table " + name);
        }
        fresh.meta_version = state->meta_version;
        tables[name] = std::move(fresh);
        if (state->reload) {
          again.push_back(name);
          continue;
        }
        it = tables.find(name);
      } else if (state->meta) {
        STATOR_TRY(it->second.meta, ParseMeta(*state->meta));
        it->second.meta_version = state->meta_version;
      }
      Table& t = it->second;
      for (PostgresStorage::ItemRow& row : state->items) {
        STATOR_TRY(AttrValue range, DecodeKey(row.range_key));
        std::optional<Item> item;
        if (row.item) {
          STATOR_TRY(json::Value v, json::Parse(*row.item));
          STATOR_TRY(item, MapFromJson(v));
        }
        ApplyToMemory(t, row.hash_key, range, std::move(item));
      }
      t.version = state->version;
    }
    todo = std::move(again);
  }
  return Status::Ok();
}

Status Service::Impl::SyncCatalog(PostgresStorage* pg) {
  STATOR_TRY(int64_t version, pg->CatalogVersion());
  if (version == catalog_version) return Status::Ok();
  STATOR_TRY(PostgresStorage::Catalog catalog, pg->ReadCatalog());
  std::map<std::string, Table> synced;
  for (PostgresStorage::CatalogEntry& e : catalog.tables) {
    auto it = tables.find(e.name);
    if (it != tables.end() && it->second.meta.table_id == e.table_id) {
      Table& t = synced[e.name] = std::move(it->second);  // items stay (caught up at next use)
      if (t.meta_version != e.meta_version) {
        STATOR_TRY(t.meta, ParseMeta(e.meta));
        t.meta_version = e.meta_version;
      }
      continue;
    }
    Table t;  // new here: items load at first use (version 0)
    STATOR_TRY(t.meta, ParseMeta(e.meta));
    t.meta_version = e.meta_version;
    synced[e.name] = std::move(t);
  }
  tables = std::move(synced);
  catalog_version = catalog.version;
  return Status::Ok();
}

void Service::Impl::Forget(const std::vector<std::string>& names) {
  for (const std::string& name : names) tables.erase(name);
  catalog_version = -1;  // the table list is read again
}

}  // namespace stator::dynamodb
