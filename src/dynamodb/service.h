// Service: stator's embedded DynamoDB. It answers the DynamoDB API (AWS JSON 1.0, the
// operations of X-Amz-Target "DynamoDB_20120810.<Operation>") over tables kept in memory and
// written through to SQLite (storage.h), so that they survive a restart.
//
// Operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, PutItem, GetItem,
// UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactWriteItems,
// TransactGetItems. Errors come back in DynamoDB's shape ({"__type": ..., "message": ...}) with
// DynamoDB's messages; see docs/dynamodb.md for what is and is not supported.
//
// A write is acknowledged (Call returns) only after it is committed to disk. Every call runs
// under one lock: calls are serialized, so each is atomic and isolated (transactions trivially
// so).
//
// Ownership: owns its tables and its Storage.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
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

  // Opens the store under options.data_dir and loads every table into memory.
  static Result<std::unique_ptr<Service>> Open(const Options& options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // One API call: operation is "PutItem" etc., request the parsed JSON body.
  Response Call(std::string_view operation, const json::Value& request);

  // One HTTP request: target is the X-Amz-Target header ("DynamoDB_20120810.PutItem"), body the
  // request body text.
  HttpReply HandleHttp(std::string_view target, std::string_view body);

  class Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// CRC32 (IEEE 802.3, as zlib's crc32) of data.
uint32_t Crc32(std::string_view data);

}  // namespace stator::dynamodb
