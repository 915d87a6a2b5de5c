#include "api/aws_json/api_error.h"

#include <algorithm>
#include <array>

#include "common/json.h"

namespace stator::api {
namespace {

constexpr std::string_view kModel = "com.amazonaws.swf.service.v2.model#";
constexpr std::string_view kCoralValidate = "com.amazon.coral.validate#";
constexpr std::string_view kCoralService = "com.amazon.coral.service#";

struct Entry {
  std::string_view name;
  std::string_view ns;
  int status;
};

// Every error stator answers with. Errors not listed render in the Step Functions model
// namespace with status 400.
constexpr std::array kTable = {
    // Request framework (before any operation runs).
    Entry{"UnknownOperationException", kCoralService, 400},
    Entry{"SerializationException", kCoralService, 400},
    Entry{"InternalFailure", kCoralService, 500},
    Entry{"ServiceUnavailable", kCoralService, 503},
    Entry{"RequestEntityTooLarge", kCoralService, 413},
    // Request validation against the operation's input shape.
    Entry{"ValidationException", kCoralValidate, 400},
    // Modelled Step Functions errors (botocore's service-2.json lists the operations' errors).
    Entry{"ActivityAlreadyExists", kModel, 400},
    Entry{"ActivityDoesNotExist", kModel, 400},
    Entry{"ActivityLimitExceeded", kModel, 400},
    Entry{"ActivityWorkerLimitExceeded", kModel, 400},
    Entry{"ConflictException", kModel, 400},
    Entry{"ExecutionAlreadyExists", kModel, 400},
    Entry{"ExecutionDoesNotExist", kModel, 400},
    Entry{"ExecutionLimitExceeded", kModel, 400},
    Entry{"ExecutionNotRedrivable", kModel, 400},
    Entry{"InvalidArn", kModel, 400},
    Entry{"InvalidDefinition", kModel, 400},
    Entry{"InvalidEncryptionConfiguration", kModel, 400},
    Entry{"InvalidExecutionInput", kModel, 400},
    Entry{"InvalidLoggingConfiguration", kModel, 400},
    Entry{"InvalidName", kModel, 400},
    Entry{"InvalidOutput", kModel, 400},
    Entry{"InvalidToken", kModel, 400},
    Entry{"InvalidTracingConfiguration", kModel, 400},
    Entry{"MissingRequiredParameter", kModel, 400},
    Entry{"ResourceNotFound", kModel, 400},
    Entry{"ServiceQuotaExceededException", kModel, 400},
    Entry{"StateMachineAlreadyExists", kModel, 400},
    Entry{"StateMachineDeleting", kModel, 400},
    Entry{"StateMachineDoesNotExist", kModel, 400},
    Entry{"StateMachineLimitExceeded", kModel, 400},
    Entry{"StateMachineTypeNotSupported", kModel, 400},
    Entry{"TaskDoesNotExist", kModel, 400},
    Entry{"TaskTimedOut", kModel, 400},
    Entry{"TooManyTags", kModel, 400},
};

}  // namespace

ErrorWireForm WireFormOf(std::string_view name) {
  if (name == kModelledValidationName) return {400, std::string(kModel) + "ValidationException"};
  auto it =
      std::find_if(kTable.begin(), kTable.end(), [&](const Entry& e) { return e.name == name; });
  if (it == kTable.end()) return {400, std::string(kModel) + std::string(name)};
  return {it->status, std::string(it->ns) + std::string(it->name)};
}

std::string ErrorBody(const ApiError& e) {
  std::string out = "{\"__type\":";
  json::AppendQuoted(WireFormOf(e.name).type, &out);
  if (!e.message.empty()) {
    out += ",\"message\":";
    json::AppendQuoted(e.message, &out);
  }
  for (const auto& [k, v] : e.extra) {
    out += ',';
    json::AppendQuoted(k, &out);
    out += ':';
    json::AppendQuoted(v, &out);
  }
  out += '}';
  return out;
}

}  // namespace stator::api
