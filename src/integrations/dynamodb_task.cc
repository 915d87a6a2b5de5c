#include "integrations/dynamodb_task.h"

#include <ctime>
#include <random>
#include <set>

#include "engine/task_resource.h"

namespace stator::integrations {
namespace {

const std::set<std::string>& OptimizedActions() {
  static const std::set<std::string> kActions = {"getItem", "putItem", "updateItem", "deleteItem"};
  return kActions;
}

// Error codes the AWS SDKs model as their own exception classes; others surface as the
// service's generic exception.
bool Modelled(const std::string& code) {
  static const std::set<std::string> kCodes = {"ConditionalCheckFailedException",
                                               "ResourceNotFoundException",
                                               "ResourceInUseException",
                                               "TransactionCanceledException",
                                               "TransactionConflictException",
                                               "ProvisionedThroughputExceededException",
                                               "ItemCollectionSizeLimitExceededException",
                                               "RequestLimitExceeded",
                                               "LimitExceededException",
                                               "IdempotentParameterMismatchException",
                                               "TransactionInProgressException",
                                               "InternalServerErrorException"};
  return kCodes.count(code) > 0;
}

std::string RequestId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string id;
  for (int i = 0; i < 52; ++i) id += alphabet[rng() % 36];
  return id;
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

json::Value SdkMetadata(const std::string& body, const std::string& request_id) {
  std::string length = std::to_string(body.size());
  std::string crc = std::to_string(dynamodb::Crc32(body));
  std::string date = HttpDate();
  auto one = [](const std::string& s) { return json::Value::MakeArray({json::Value::String(s)}); };
  json::Value all = json::Value::MakeObject({
      {"Server", one("Server")},
      {"Connection", one("keep-alive")},
      {"x-amzn-RequestId", one(request_id)},
      {"x-amz-crc32", one(crc)},
      {"Content-Length", one(length)},
      {"Date", one(date)},
      {"Content-Type", one("application/x-amz-json-1.0")},
  });
  json::Value headers = json::Value::MakeObject({
      {"Connection", json::Value::String("keep-alive")},
      {"Content-Length", json::Value::String(length)},
      {"Content-Type", json::Value::String("application/x-amz-json-1.0")},
      {"Date", json::Value::String(date)},
      {"Server", json::Value::String("Server")},
      {"x-amz-crc32", json::Value::String(crc)},
      {"x-amzn-RequestId", json::Value::String(request_id)},
  });
  return json::Value::MakeObject({{"AllHttpHeaders", all},
                                  {"HttpHeaders", headers},
                                  {"HttpStatusCode", json::Value::Int(200)}});
}

// The Task outcome of a service response, as Step Functions shapes it.
void Complete(bool optimized, dynamodb::Service::Response response,
              const engine::TaskCompletion& done) {
  std::string request_id = RequestId();
  if (response.status == 200) {
    if (!optimized) {
      done(std::move(response.body));
      return;
    }
    std::string body = response.body.Dump();
    json::Value out =
        response.body.With("SdkHttpMetadata", SdkMetadata(body, request_id))
            .With("SdkResponseMetadata",
                  json::Value::MakeObject({{"RequestId", json::Value::String(request_id)}}));
    done(std::move(out));
    return;
  }
  const std::string& code = response.error_code;
  std::string status = std::to_string(response.status);
  if (optimized) {
    std::string name = Modelled(code) ? code : "AmazonDynamoDBException";
    done(Error{"DynamoDB." + name,
               response.error_message + " (Service: AmazonDynamoDBv2; Status Code: " + status +
                   "; Error Code: " + code + "; Request ID: " + request_id + "; Proxy: null)"});
  } else {
    std::string name = Modelled(code) ? code : "DynamoDbException";
    done(Error{"DynamoDb." + name, response.error_message + " (Service: DynamoDb, Status Code: " +
                                       status + ", Request ID: " + request_id + ")"});
  }
}

}  // namespace

bool DynamoDbTaskRunner::Accepts(const std::string& resource) {
  engine::TaskResource r = engine::TaskResource::Parse(resource);
  if (r.kind != engine::TaskResource::Kind::kService) return false;
  return r.resource_type == "dynamodb" || r.resource_type == "aws-sdk:dynamodb";
}

void DynamoDbTaskRunner::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  engine::TaskResource r = engine::TaskResource::Parse(request.resource);
  bool optimized = r.resource_type == "dynamodb";
  // AWS SDK integrations also take .waitForTaskToken (the callback is the task's outcome).
  const bool callback = !optimized && r.pattern == engine::TaskResource::Pattern::kWaitForTaskToken;
  if (r.pattern != engine::TaskResource::Pattern::kRequestResponse && !callback) {
    done(Error{"States.Runtime", "The resource provided " + request.resource +
                                     " is not supported: DynamoDB integrations only support the "
                                     "request-response pattern"});
    return;
  }
  if (optimized && !OptimizedActions().count(r.resource)) {
    done(Error{"States.Runtime", "The resource provided " + request.resource +
                                     " is not recognized. The value is not a valid resource ARN, "
                                     "or the resource is not available in this region."});
    return;
  }
  if (r.resource.empty()) {
    done(Error{"States.Runtime", "Invalid resource " + request.resource});
    return;
  }
  std::string operation = r.resource;
  if (callback) operation.resize(operation.size() - std::string_view(".waitForTaskToken").size());
  operation[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(operation[0])));
  json::Value params =
      request.parameters.is_object() ? request.parameters : json::Value::EmptyObject();
  // Completed once the call's writes (and any it could have seen) are durable: maybe on the
  // service's writer thread, where done only hands the outcome to the execution.
  service_->CallAsync(operation, params,
                      [optimized, done = std::move(done)](dynamodb::Service::Response response) {
                        Complete(optimized, std::move(response), done);
                      });
}

}  // namespace stator::integrations
