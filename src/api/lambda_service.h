// LambdaService: the AWS Lambda REST API (rest-json, as boto3's `lambda` client and `aws lambda`
// speak it) on the server's port, over a FunctionRegistry and a FunctionRuntime.
//
//   POST   /2015-03-31/functions                          CreateFunction (201)
//   GET    /2015-03-31/functions/                         ListFunctions (Marker, MaxItems)
//   GET    /2015-03-31/functions/NAME                     GetFunction
//   GET    /2015-03-31/functions/NAME/configuration       GetFunctionConfiguration
//   PUT    /2015-03-31/functions/NAME/configuration       UpdateFunctionConfiguration
//   PUT    /2015-03-31/functions/NAME/code                UpdateFunctionCode
//   DELETE /2015-03-31/functions/NAME                     DeleteFunction (204)
//   POST   /2015-03-31/functions/NAME/invocations         Invoke (200, 202 Event, 204 DryRun)
//   GET    /2015-03-31/functions/NAME/package.zip         the package (GetFunction's Location)
//   GET    /2015-03-31/functions/NAME/logs                recent logs (stator, for the CLI)
//   POST|GET|DELETE /2017-03-31/tags/ARN                  TagResource, ListTags, UntagResource
//
// Errors are Lambda's: the status of the error, header x-amzn-ErrorType: <Name>, body
// {"Type": "User"|"Service", "message": "..."} (see routes/lambda/lambda_common.h).
// Each group of operations is one file under routes/lambda/.
//
// Ownership: borrows the registry and the runtime (they must outlive it).
// Thread-safety: Handle may be called from any thread; an Invoke answers from the runtime's
// completion, never blocking the calling thread.
#pragma once

#include <string>

#include "api/http_server.h"
#include "common/clock.h"
#include "functions/registry.h"
#include "functions/runtime.h"

namespace stator::api {

inline constexpr const char* kLambdaFunctionsPrefix = "/2015-03-31/";
inline constexpr const char* kLambdaTagsPrefix = "/2017-03-31/tags/";

class LambdaService {
 public:
  LambdaService(functions::FunctionRegistry* registry, functions::FunctionRuntime* runtime,
                const Clock* clock, std::string region, std::string account)
      : registry_(registry),
        runtime_(runtime),
        clock_(clock),
        region_(std::move(region)),
        account_(std::move(account)) {}

  // The server's endpoint ("http://HOST:PORT"), for GetFunction's Code.Location.
  void SetEndpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

  void Handle(HttpRequest&& request, Responder respond);

  functions::FunctionRegistry& registry() { return *registry_; }
  functions::FunctionRuntime& runtime() { return *runtime_; }
  int64_t NowMillis() const { return clock_->NowMillis(); }
  const std::string& region() const { return region_; }
  const std::string& account() const { return account_; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  functions::FunctionRegistry* registry_;
  functions::FunctionRuntime* runtime_;
  const Clock* clock_;
  std::string region_;
  std::string account_;
  std::string endpoint_;
};

}  // namespace stator::api
