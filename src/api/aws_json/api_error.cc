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

// A modelled ValidationException (one that carries "reason") is thrown by the service itself,
// not by request validation; it is recorded under this internal name and renders as
// ValidationException in the model namespace.
constexpr std::string_view kModelledValidation = "ValidationException/modelled";

}  // namespace

ApiError ApiError::InvalidArn(std::string_view detail) {
  return {"InvalidArn", "Invalid Arn: '" + std::string(detail) + "'", {}};
}
ApiError ApiError::InvalidName(std::string_view name) {
  return {"InvalidName", "Invalid Name: '" + std::string(name) + "'", {}};
}
ApiError ApiError::InvalidToken() { return {"InvalidToken", "Invalid Token: 'Invalid token'", {}}; }
ApiError ApiError::StateMachineDoesNotExist(std::string_view arn) {
  return {
      "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + std::string(arn) + "'", {}};
}
ApiError ApiError::ResourceNotFound(std::string_view arn) {
  return {"ResourceNotFound",
          "Resource not found: '" + std::string(arn) + "'",
          {{"resourceName", std::string(arn)}}};
}
ApiError ApiError::Serialization(std::string message) {
  return {"SerializationException", std::move(message), {}};
}
ApiError ApiError::Validation(std::string message) {
  return {"ValidationException", std::move(message), {}};
}
ApiError ApiError::ValidationWithReason(std::string message, std::string reason) {
  return {std::string(kModelledValidation), std::move(message), {{"reason", std::move(reason)}}};
}
ApiError ApiError::UnknownOperation() { return {"UnknownOperationException", "", {}}; }
ApiError ApiError::Internal(std::string message) {
  return {"InternalFailure", std::move(message), {}};
}

ErrorWireForm WireFormOf(std::string_view name) {
  if (name == kModelledValidation) return {400, std::string(kModel) + "ValidationException"};
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
