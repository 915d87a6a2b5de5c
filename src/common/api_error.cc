#include "common/api_error.h"

namespace stator {

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
  return {
      std::string(kModelledValidationName), std::move(message), {{"reason", std::move(reason)}}};
}
ApiError ApiError::UnknownOperation() { return {"UnknownOperationException", "", {}}; }
ApiError ApiError::Internal(std::string message) {
  return {"InternalFailure", std::move(message), {}};
}

}  // namespace stator
