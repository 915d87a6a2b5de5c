// AwsJsonRouter: the AWS JSON 1.0 protocol of the Step Functions API (what boto3 and the AWS
// CLI speak to it) on top of HttpServer, with an input shape per operation. (DynamoDB speaks
// the same protocol but validates its requests itself: api/dynamodb_routes.h.)
//
// A request is `POST /` with `X-Amz-Target: <TargetPrefix>.<Operation>` and a JSON object
// body. The router finds the service registered for the prefix and its operation, parses the
// body, validates it against the operation's input shape (shape.h), runs the operation and
// renders its result or its ApiError (api_error.h). Signatures (SigV4 Authorization headers)
// are accepted and not checked; any Host is accepted (clients prefix "sync-" for some calls).
//
// Protocol-level answers, as AWS gives them:
//   no or unknown X-Amz-Target, unknown operation  -> UnknownOperationException
//   body not JSON, or member of the wrong type      -> SerializationException
//   constraint violations                           -> ValidationException (shape.h)
//
// Thread-safety: register everything before serving; Handle may then be called from any
// number of threads at once.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/aws_json/api_error.h"
#include "api/aws_json/shape.h"
#include "api/http_server.h"
#include "common/json.h"

namespace stator::api {

// How an operation answers: exactly once, from any thread.
using JsonDone = std::function<void(ApiResult<json::Value>)>;

struct JsonOperation {
  ShapeRef input;  // validated before run is called
  std::function<void(const json::Value& input, JsonDone done)> run;
};

class AwsJsonRouter {
 public:
  // Operations of the service addressed by `target_prefix` ("AWSStepFunctions").
  void AddOperation(std::string_view target_prefix, std::string_view name, JsonOperation op);

  void Handle(HttpRequest&& request, Responder respond) const;

  // Runs the operation `target` ("Prefix.Operation") on an already parsed input, as Handle does
  // once it has the body: validation, then the operation; an unknown target answers
  // UnknownOperationException. For callers inside the server (Task states that call its own
  // Step Functions API): no HTTP, the same checks.
  void Call(std::string_view target, const json::Value& input, JsonDone done) const;

 private:
  std::map<std::string, JsonOperation, std::less<>> operations_;  // "Prefix.Operation"
};

}  // namespace stator::api
