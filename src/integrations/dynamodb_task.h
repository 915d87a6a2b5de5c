// DynamoDbTaskRunner: serves Task states whose Resource is a DynamoDB service integration, by
// calling the embedded dynamodb::Service in-process (no HTTP):
//   arn:aws:states:::dynamodb:getItem | putItem | updateItem | deleteItem  (optimized)
//   arn:aws:states:::aws-sdk:dynamodb:<action>  (getItem, query, scan, batchWriteItem, ...)
//
// Results are what Step Functions hands the state: for the optimized integrations the API
// response plus SdkHttpMetadata and SdkResponseMetadata; for aws-sdk the API response as it is.
// Failures are errors named as Step Functions names them, with the SDK's cause text:
//   optimized: "DynamoDB.ConditionalCheckFailedException" (ValidationException and other
//              unmodelled errors: "DynamoDB.AmazonDynamoDBException"), cause
//              "<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: <code>;
//              Request ID: <id>; Proxy: null)";
//   aws-sdk:   "DynamoDb.ConditionalCheckFailedException" (unmodelled:
//   "DynamoDb.DynamoDbException"),
//              cause "<message> (Service: DynamoDb, Status Code: 400, Request ID: <id>)".
//
// Ownership: borrows the Service (it must outlive the runner).
// Thread-safety: Start may be called from any number of threads. It completes once the call's
// writes (and any it could have seen) are durable: synchronously when nothing is pending (and in
// memory), otherwise later on the service's writer thread.
#pragma once

#include <string>

#include "dynamodb/service.h"
#include "engine/execution.h"

namespace stator::integrations {

class DynamoDbTaskRunner : public engine::TaskRunner {
 public:
  explicit DynamoDbTaskRunner(dynamodb::Service* service) : service_(service) {}

  // Whether resource (as written in a definition) is one this runner serves.
  static bool Accepts(const std::string& resource);

  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

 private:
  dynamodb::Service* const service_;
};

}  // namespace stator::integrations
