#include "integrations/unavailable_resource.h"

#include <string_view>
#include <utility>

#include "common/arn.h"
#include "common/uuid.h"

namespace stator::integrations {
namespace {

const json::Value* StringParam(const json::Value& params, std::string_view key) {
  const json::Value* v = params.is_object() ? params.Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v : nullptr;
}

Error LambdaNotFound(const std::string& function_arn) {
  return Error{"Lambda.ResourceNotFoundException",
               "Function not found: " + function_arn +
                   " (Service: AWSLambda; Status Code: 404; Error Code: "
                   "ResourceNotFoundException; Request ID: " +
                   NewUuid() + "; Proxy: null)"};
}

Error NotServed(const engine::TaskRequest& request, const std::string& why) {
  return Error{"States.Runtime",
               "The resource '" + request.resource + "' of state '" + request.state_name +
                   "' is not available to stator run: " + why + ". Serve it with --task-command '" +
                   request.state_name + "=COMMAND' or a --mock-config test case."};
}

}  // namespace

std::string LambdaFunctionArn(const std::string& function_name, const std::string& account,
                              const std::string& region) {
  if (function_name.starts_with("arn:")) return function_name;
  std::string_view name = function_name;
  // "123456789012:function:f" (partial ARN)
  size_t colon = name.find(':');
  if (colon != std::string_view::npos && name.substr(colon + 1).starts_with("function:")) {
    return "arn:aws:lambda:" + region + ":" + function_name;
  }
  return "arn:aws:lambda:" + region + ":" + account + ":function:" + function_name;
}

UnavailableResourceRunner::UnavailableResourceRunner(std::string account, std::string region)
    : account_(std::move(account)), region_(std::move(region)) {}

void UnavailableResourceRunner::Start(const engine::TaskRequest& request,
                                      engine::TaskCompletion done) {
  done(FailureFor(request));
}

Error UnavailableResourceRunner::FailureFor(const engine::TaskRequest& request) const {
  auto arn = ParseArn(request.resource);
  if (!arn.ok()) return NotServed(request, "it is not an ARN stator knows");
  const std::string& service = arn->service;
  std::string_view rest = arn->ResourceText();
  if (service == "lambda" && rest.starts_with("function:")) {
    return LambdaNotFound(request.resource);
  }
  if (service == "states" && arn->region.empty() && arn->account.empty()) {
    // Service integration: arn:aws:states:::<service>:<action>[.<pattern>]
    size_t colon = rest.find(':');
    std::string_view integration = rest.substr(0, colon);
    std::string_view action = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    std::string_view api = action.substr(0, action.find('.'));
    if (integration == "lambda" && api == "invoke") {
      const json::Value* name = StringParam(request.parameters, "FunctionName");
      if (name == nullptr) {
        return Error{"States.Runtime", "The field 'FunctionName' is required for resource '" +
                                           request.resource + "' (state '" + request.state_name +
                                           "')"};
      }
      return LambdaNotFound(LambdaFunctionArn(name->as_string(), account_, region_));
    }
    if (integration == "states" && api == "startExecution") {
      const json::Value* arn = StringParam(request.parameters, "StateMachineArn");
      if (arn == nullptr) {
        return Error{"States.Runtime", "The field 'StateMachineArn' is required for resource '" +
                                           request.resource + "' (state '" + request.state_name +
                                           "')"};
      }
      return Error{"StepFunctions.StateMachineDoesNotExistException",
                   "State Machine Does Not Exist: '" + arn->as_string() +
                       "' (Service: AWSStepFunctions; Status Code: 400; Error Code: "
                       "StateMachineDoesNotExist; Request ID: " +
                       NewUuid() + "; Proxy: null)"};
    }
    return NotServed(request,
                     "stator run has no " + std::string(integration) + " service integration");
  }
  if (service == "states" && rest.starts_with("activity:")) {
    return NotServed(request, "no activity worker can poll an activity during stator run");
  }
  return NotServed(request, "it is not an ARN stator knows");
}

}  // namespace stator::integrations
