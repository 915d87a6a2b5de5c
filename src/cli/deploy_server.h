// The server as stator deploy and delete-stack talk to it: Step Functions and DynamoDB over
// AWS JSON 1.0 and Lambda's REST API, answers parsed into JSON and errors into {code, message};
// and the account, region and partition the server puts in its ARNs.
//
// Thread-safety: a DeployServer holds only its endpoint; each call opens its own connection.
#pragma once

#include <string>
#include <utility>

#include "common/arn.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::cli {

class DeployServer {
 public:
  explicit DeployServer(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  const std::string& endpoint() const { return endpoint_; }

  // AWS JSON 1.0 (Step Functions, DynamoDB): POST / with X-Amz-Target. Errors: {error code
  // (the __type after '#'), message}; "Connection" when the server cannot be reached.
  Result<json::Value> Json(const std::string& target, const json::Value& body);

  // Lambda's REST API. Errors: {x-amzn-ErrorType, message}. An answer that is not JSON is {}.
  Result<json::Value> Rest(const std::string& method, const std::string& path,
                           const json::Value* body);

 private:
  std::string endpoint_;
};

// "CODE: message", as deploy prints a server's refusal.
std::string ErrorText(const Error& e);

// The server's ArnScope (what it puts in its ARNs), from the ARN in a Lambda answer (a function
// that exists, or the "Function not found: ARN" message of one that does not).
Result<ArnScope> AskArnScope(DeployServer& s);

}  // namespace stator::cli
