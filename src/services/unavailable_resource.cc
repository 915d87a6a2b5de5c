#include "services/unavailable_resource.h"

#include <cstdio>
#include <random>
#include <string_view>
#include <utility>

namespace stator::services {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Splits "arn:partition:service:region:account:rest" into its six parts (rest may hold ':').
bool SplitArn(std::string_view arn, std::string_view parts[6]) {
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  return parts[0] == "arn";
}

const json::Value* StringParam(const json::Value& params, std::string_view key) {
  const json::Value* v = params.is_object() ? params.Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v : nullptr;
}

Error LambdaNotFound(const std::string& function_arn) {
  return Error{"Lambda.ResourceNotFoundException",
               "Function not found: " + function_arn +
                   " (Service: AWSLambda; Status Code: 404; Error Code: "
                   "ResourceNotFoundException; Request ID: " +
                   NewRequestId() + "; Proxy: null)"};
}

Error NotServed(const engine::TaskRequest& request, const std::string& why) {
  return Error{"States.Runtime",
               "The resource '" + request.resource + "' of state '" + request.state_name +
                   "' is not available to stator run: " + why + ". Serve it with --task-command '" +
                   request.state_name + "=COMMAND' or a --mock-config test case."};
}

}  // namespace

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string LambdaFunctionArn(const std::string& function_name, const std::string& account,
                              const std::string& region) {
  if (StartsWith(function_name, "arn:")) return function_name;
  std::string_view name = function_name;
  // "123456789012:function:f" (partial ARN)
  size_t colon = name.find(':');
  if (colon != std::string_view::npos && StartsWith(name.substr(colon + 1), "function:")) {
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
  std::string_view parts[6];
  if (!SplitArn(request.resource, parts)) {
    return NotServed(request, "it is not an ARN stator knows");
  }
  std::string_view service = parts[2], rest = parts[5];
  if (service == "lambda" && StartsWith(rest, "function:")) {
    return LambdaNotFound(request.resource);
  }
  if (service == "states" && parts[3].empty() && parts[4].empty()) {
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
                       NewRequestId() + "; Proxy: null)"};
    }
    return NotServed(request,
                     "stator run has no " + std::string(integration) + " service integration");
  }
  if (service == "states" && StartsWith(rest, "activity:")) {
    return NotServed(request, "no activity worker can poll an activity during stator run");
  }
  return NotServed(request, "it is not an ARN stator knows");
}

}  // namespace stator::services
