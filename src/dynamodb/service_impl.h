// Internals of dynamodb::Service shared by its source files (tables.cc, items.cc, query.cc,
// batch.cc, service.cc, cluster.cc). Not part of the layer's interface.
//
// Thread-safety: the tables (and what points into them) are guarded by Service::Impl::mu, and
// every operation REQUIRES it; options, storage, postgres, reader, group, ended, reads and writes
// are set once at open. With PostgreSQL, `postgres` is used by the writes' thread only (and by
// Open before it starts), `reader` by the reads' thread only (cluster_batch.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/group_commit.h"
#include "common/json.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "dynamodb/attribute_value.h"
#include "dynamodb/batch_waiters.h"
#include "dynamodb/call_queue.h"
#include "dynamodb/errors.h"
#include "dynamodb/expression.h"
#include "dynamodb/postgres_storage.h"
#include "dynamodb/service.h"
#include "dynamodb/storage.h"

namespace stator::dynamodb {

struct KeyDef {
  std::string name;
  AttrType type = AttrType::kS;
};

struct IndexDef {
  std::string name;
  bool global = true;
  KeyDef hash;
  bool has_range = false;
  KeyDef range;
  std::string projection_type = "ALL";  // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key_attributes;
  json::Value provisioned_throughput;  // GSIs: as given (may be null)
};

// A table's definition (what CreateTable / UpdateTable said), persisted as JSON.
struct TableMeta {
  std::string name;
  KeyDef hash;
  bool has_range = false;
  KeyDef range;
  std::vector<KeyDef> attribute_definitions;
  std::string billing_mode = "PROVISIONED";
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  std::vector<IndexDef> indexes;  // GSIs and LSIs
  json::Value stream_specification;
  json::Value tags;
  bool deletion_protection = false;
  double creation_time = 0;  // epoch seconds
  std::string table_id;

  json::Value ToJson() const;
  static Result<TableMeta> FromJson(const json::Value& v);
};

struct RangeLess {
  bool operator()(const AttrValue& a, const AttrValue& b) const { return CompareScalar(a, b) < 0; }
};
// The items of one partition key value, ordered by sort key (a NULL key for hash-only tables).
using Partition = std::map<AttrValue, Item, RangeLess>;

struct Table {
  TableMeta meta;
  std::map<std::string, Partition> partitions;  // by EncodeKey(partition key value)
  int64_t item_count = 0;
  int64_t size_bytes = 0;
  // PostgreSQL only (PostgresStorage::Cursor): the table version the items are caught up to and
  // the version of meta.
  int64_t version = 0;
  int64_t meta_version = 0;
};

// Puts (item present) or deletes the item of key (hash_key = EncodeKey of its partition key,
// range) in t, keeping item_count and size_bytes.
void ApplyToMemory(Table& t, const std::string& hash_key, const AttrValue& range,
                   std::optional<Item> item);

// One item write of a commit: item present = put, absent = delete.
struct Write {
  Table* table = nullptr;
  AttrValue hash;
  AttrValue range;
  std::optional<Item> item;
};

// A failed operation: Error{code, message} plus members the error body carries besides
// __type and message (CancellationReasons, Item).
struct Failure {
  Error error;
  json::Object extras;
};

class Service::Impl {
 public:
  Service::Options options;
  std::unique_ptr<Storage> storage;
  // The writer thread that commits to storage (null in memory: nothing to wait for): one
  // Storage::Commit per batch; an Append is the changes of one operation, never split. Declared
  // after storage, which it borrows; Service's destructor drains it first.
  std::unique_ptr<GroupCommit<std::vector<Storage::Change>>> group;
  // With --store postgresql://...: the shared store, instead of storage and group (cluster.cc,
  // cluster_batch.cc): the writes' connection and the reads' connection.
  std::unique_ptr<PostgresStorage> postgres;
  std::unique_ptr<PostgresStorage> reader;
  // PostgreSQL: the batches of item writes, which calls wait for (instead of group).
  BatchWaiters ended;
  Mutex mu;
  std::map<std::string, Table> tables GUARDED_BY(mu);
  json::Object extras GUARDED_BY(mu);  // members of the current call's error body
  // PostgreSQL: the changes of the write operation running (Commit and CommitTable append
  // them; null outside a write transaction), and the catalog version the table list is at.
  std::vector<Storage::Change>* collecting GUARDED_BY(mu) = nullptr;
  int64_t catalog_version GUARDED_BY(mu) = -1;
  // PostgreSQL: the number of the last item write applied to memory (BatchWaiters), and the
  // last one memory may hold whose batch has not ended (0: none), which a call waits for.
  uint64_t last_seq GUARDED_BY(mu) = 0;
  uint64_t visible_seq GUARDED_BY(mu) = 0;
  // PostgreSQL: the threads that run the calls (cluster_batch.cc). Last: they use everything
  // above, and Service's destructor ends them first.
  std::unique_ptr<CallQueue> writes;
  std::unique_ptr<CallQueue> reads;

  Result<json::Value> Dispatch(std::string_view op, const json::Value& req) REQUIRES(mu);
  // One call under mu: its Response (already applied to memory), and in *wait the sequence
  // number that must be durable before it may be answered (the last write it could have seen).
  Service::Response Run(std::string_view op, const json::Value& req, uint64_t* wait) EXCLUDES(mu);
  // The Response of a call's result (with extras), and in *wait what it must wait for.
  Service::Response Answer(Result<json::Value> r, uint64_t* wait) REQUIRES(mu);

  // cluster_batch.cc: PostgreSQL. Queues a call for the reads' or the writes' thread; `done`
  // runs once the writes it made or could have seen are committed.
  void Submit(std::string_view op, const json::Value& req,
              std::function<void(Service::Response)> done);
  // The reads' thread: one version query for a group of reads, then each in memory (catching
  // up the tables memory is behind on).
  void ReadGroup(std::vector<QueuedCall>& calls) EXCLUDES(mu);
  // The writes' thread: item writes in batches (ItemBatch), table changes one at a time.
  void WriteGroup(std::vector<QueuedCall>& calls) EXCLUDES(mu);
  // Runs calls[*i], calls[*i + 1], ... (item writes) in one transaction while their tables can
  // be locked without waiting, commits, and answers them; advances *i past them.
  void ItemBatch(std::vector<QueuedCall>& calls, size_t* i) EXCLUDES(mu);
  // Whether memory holds, for every table of names, at least what `states` (Versions, sorted
  // by name) says PostgreSQL held.
  bool UpToDate(const std::vector<std::string>& names,
                const std::vector<PostgresStorage::TableState>& states) REQUIRES(mu);

  // cluster.cc: PostgreSQL, on the writes' thread. Brings the tables the call names up to date,
  // then dispatches it; a write runs in one transaction holding its tables' rows.
  Result<json::Value> RunInCluster(std::string_view op, const json::Value& req) REQUIRES(mu);
  Result<json::Value> WriteInCluster(std::string_view op, const json::Value& req,
                                     const std::vector<std::string>& names) REQUIRES(mu);
  // Brings the named tables in memory up to what PostgreSQL holds (dropping the gone ones),
  // through pg (postgres or reader: the calling thread's).
  Status CatchUp(const std::vector<std::string>& names, PostgresStorage* pg) REQUIRES(mu);
  // Brings the table list (names and definitions) up to date when the catalog moved.
  Status SyncCatalog(PostgresStorage* pg) REQUIRES(mu);
  // Drops tables from memory (they reload at next use) after a failure left them unknown.
  void Forget(const std::vector<std::string>& names) REQUIRES(mu);

  // tables.cc
  Result<json::Value> CreateTable(const json::Value& req) REQUIRES(mu);
  Result<json::Value> DescribeTable(const json::Value& req) REQUIRES(mu);
  Result<json::Value> ListTables(const json::Value& req) REQUIRES(mu);
  Result<json::Value> DeleteTable(const json::Value& req) REQUIRES(mu);
  Result<json::Value> UpdateTable(const json::Value& req) REQUIRES(mu);
  json::Value Describe(const Table& t, const char* status) const REQUIRES(mu);

  // tags.cc
  Result<json::Value> TagResource(const json::Value& req) REQUIRES(mu);
  Result<json::Value> UntagResource(const json::Value& req) REQUIRES(mu);
  Result<json::Value> ListTagsOfResource(const json::Value& req) REQUIRES(mu);
  // The table a ResourceArn names (ValidationException / ResourceNotFoundException).
  Result<Table*> TableByArn(const json::Value& req) REQUIRES(mu);
  // Persists a table's new tag list, then takes it into the table held in memory.
  Status SetTableTags(Table* t, json::Array tags) REQUIRES(mu);
  Status LoadTables() REQUIRES(mu);

  // items.cc
  Result<json::Value> PutItem(const json::Value& req) REQUIRES(mu);
  Result<json::Value> GetItem(const json::Value& req) REQUIRES(mu);
  Result<json::Value> UpdateItem(const json::Value& req) REQUIRES(mu);
  Result<json::Value> DeleteItem(const json::Value& req) REQUIRES(mu);

  // query.cc
  Result<json::Value> Query(const json::Value& req) REQUIRES(mu);
  Result<json::Value> Scan(const json::Value& req) REQUIRES(mu);

  // batch.cc
  Result<json::Value> BatchGetItem(const json::Value& req) REQUIRES(mu);
  Result<json::Value> BatchWriteItem(const json::Value& req) REQUIRES(mu);
  Result<json::Value> TransactWriteItems(const json::Value& req) REQUIRES(mu);
  Result<json::Value> TransactGetItems(const json::Value& req) REQUIRES(mu);

  // Helpers (service.cc).
  // The table named by req[member]; ResourceNotFoundException when absent.
  Result<Table*> GetTable(const json::Value& req, bool describe_message = false) REQUIRES(mu);
  // The key attributes of a Key parameter, exactly the table's key ("The provided key element
  // does not match the schema" otherwise).
  Result<Item> ParseKey(const Table& t, const json::Value* key) REQUIRES(mu);
  // Checks an item for PutItem: key attributes present, of the right type, not empty; size.
  Status CheckItem(const Table& t, const Item& item) REQUIRES(mu);
  const Item* FindItem(const Table& t, const Item& key) const REQUIRES(mu);
  // Applies writes to memory and queues their changes (together: one batch) for the writer.
  // The caller answers only once they are durable (Service::Call waits for that). Fails, with
  // nothing applied, once a commit has failed (GroupCommit's sticky error).
  Status Commit(std::vector<Write> writes) REQUIRES(mu);
  // Queues a table's new definition (or its deletion, with its items); the caller then applies
  // it to memory. Fails as Commit does.
  Status CommitTable(const Table& t, bool deleted) REQUIRES(mu);
  // Queues the changes of one operation for the writer (under mu, in apply order).
  void Queue(std::vector<Storage::Change> changes) REQUIRES(mu);
};

// The error body of a failed call.
Service::Response ErrorResponse(const Error& e, json::Object extras);

// cluster.cc: the tables a request names, sorted; whether an operation writes, and whether it
// writes items only (no table definitions).
std::vector<std::string> TablesOf(const json::Value& req);
bool IsWrite(std::string_view op);
bool IsItemWrite(std::string_view op);

// Request-reading helpers.
const json::Value* Member(const json::Value& req, std::string_view name);
Result<std::string> RequiredString(const json::Value& req, const char* name, const char* wire_name);
Error NotFound(std::string message = "Requested resource not found");
AttrValue KeyValue(const Item& item, const std::string& name);
// The key attributes of item in table t.
Item KeyOf(const TableMeta& t, const Item& item);
std::string RangeText(const AttrValue& v);  // EncodeKey, "" for NULL

// Parses an optional expression member; names `kind` in messages. Empty text is an error
// ("Invalid <Kind>: The expression can not be empty;").
Result<std::optional<Condition>> OptionalCondition(const json::Value& req, const char* member,
                                                   ExprKind kind, ExpressionContext* ctx);
Result<std::optional<std::vector<Path>>> OptionalProjection(const json::Value& req,
                                                            ExpressionContext* ctx);
// ExpressionAttributeNames / Values of req, checking that they come with an expression.
Result<ExpressionContext> MakeContext(const json::Value& req, bool any_expression,
                                      bool names_allowed_without_values = true);

}  // namespace stator::dynamodb
