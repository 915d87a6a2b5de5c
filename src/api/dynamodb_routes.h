// The HTTP side of the embedded DynamoDB: a Dispatch handler for requests whose X-Amz-Target is
// "DynamoDB_20120810.<Operation>", answering from a dynamodb::Service with DynamoDB's headers
// (x-amz-crc32 of the body, which botocore checks, and x-amzn-RequestId).
//
// A request is answered once the writes it made or could have seen are durable (see
// dynamodb/service.h): the Responder is called from the completion, on the io thread or on the
// service's writer thread; no io thread waits for an fsync.
//
// Ownership: the handler borrows the service, which must outlive the HTTP server.
// Thread-safety: the handler may run on any number of io threads at once.
#pragma once

#include "api/http_server.h"
#include "dynamodb/service.h"

namespace stator::api {

Handler DynamoDbHandler(dynamodb::Service* service);

}  // namespace stator::api
