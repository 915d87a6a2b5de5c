// Service: stator's embedded DynamoDB. It answers the DynamoDB API (AWS JSON 1.0, the
// operations of X-Amz-Target "DynamoDB_20120810.<Operation>") over tables kept in memory and
// written through to SQLite (storage.h), so that they survive a restart.
//
// Operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, PutItem, GetItem,
// UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactWriteItems,
// TransactGetItems. Errors come back in DynamoDB's shape ({"__type": ..., "message": ...}) with
// DynamoDB's messages; see docs/dynamodb.md for what is and is not supported.
//
// Every call runs under one lock: calls are serialized, so each is atomic and isolated
// (transactions trivially so). Under that lock a write is validated, its conditions evaluated
// and its items applied to the in-memory tables at once (the next call sees them); its changes
// are queued to one writer thread (common/group_commit.h) that commits everything queued
// meanwhile in one SQLite transaction with one fsync (group commit).
//
// Durability and ordering: a call is answered (its completion runs, Call returns) only once
// every write applied before it finished is durable, its own included. So a write is durable
// when acknowledged, and a read never returns a value that a crash could still take back (it
// waits for the writes it could have seen; when nothing is pending, the common case, it is
// answered at once on the calling thread). Completions run either on the calling thread,
// before CallAsync returns, or on the writer thread; they must be quick and must not call the
// synchronous Call/HandleHttp (which wait for that thread).
//
// A failed commit (SQLite error, disk full) is sticky: it is logged, the calls waiting for it
// and every later write get InternalServerError (HTTP 500), and so does any call that could
// have seen a write that is not durable; memory then holds writes that are not on disk, which
// only a restart (reloading from disk) clears. In memory (no data dir) nothing is queued and
// every call is answered at once.
//
// With Options::store_uri the tables live in PostgreSQL instead, shared by every node using the
// same database (postgres_storage.h): each call first brings the tables it names up to date from
// there, and a write runs in a transaction holding its tables' rows and is committed before it
// is answered (no writer thread, no sticky error: a failed write answers InternalServerError
// and its tables are reloaded). docs/dynamodb.md, "PostgreSQL and the cluster".
//
// Ownership: owns its tables, its Storage (or PostgresStorage) and the writer thread.
// Thread-safety: every public method may be called from any thread. The destructor commits
// what is pending, answers every waiting call and joins the writer thread; no call may be
// running or start during it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/result.h"

namespace stator::dynamodb {

class Service {
 public:
  struct Options {
    std::string data_dir;  // "" = in memory only
    std::string region = "us-east-1";
    std::string account = "123456789012";
    // A PostgreSQL connection URI (postgresql://...): tables and items live there, shared by
    // every node using it (data_dir is then not used). "" = data_dir.
    std::string store_uri;
  };

  // What one API call answered: HTTP status 200 with the result, or 400/500 with an error body
  // {"__type": "<namespace>#<Code>", "message": ...} (plus CancellationReasons / Item where
  // DynamoDB adds them).
  struct Response {
    int status = 200;
    json::Value body;
    // For errors: the bare error code ("ConditionalCheckFailedException") and message.
    std::string error_code;
    std::string error_message;
  };

  // The HTTP form of a Response: the body text and the CRC32 botocore checks (x-amz-crc32).
  struct HttpReply {
    int status = 200;
    std::string body;
    uint32_t crc32 = 0;
  };

  // Opens the store under options.data_dir and loads every table into memory; with
  // options.store_uri, opens PostgreSQL (applying its migrations) and reads the table list.
  static Result<std::unique_ptr<Service>> Open(const Options& options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // One API call: operation is "PutItem" etc., request the parsed JSON body. done gets the
  // Response once it may be sent (see Durability above), exactly once, on this thread or the
  // writer thread.
  void CallAsync(std::string_view operation, const json::Value& request,
                 std::function<void(Response)> done);

  // One HTTP request: target is the X-Amz-Target header ("DynamoDB_20120810.PutItem"), body the
  // request body text. The reply is serialized on the calling thread; done as for CallAsync.
  void HandleHttpAsync(std::string_view target, std::string_view body,
                       std::function<void(HttpReply)> done);

  // The same, waiting for the answer (not from a completion: that would wait for itself).
  Response Call(std::string_view operation, const json::Value& request);
  HttpReply HandleHttp(std::string_view target, std::string_view body);

  // Ok, or the failed commit that stopped every write (sticky; see above). Always Ok in memory.
  Status health() const;

  class Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// CRC32 (IEEE 802.3, as zlib's crc32) of data.
uint32_t Crc32(std::string_view data);

}  // namespace stator::dynamodb
