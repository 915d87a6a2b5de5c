// ApiError: the error a client of one of stator's AWS protocols is answered with, and
// ApiResult<T>, a T or such an error (Result<T, ApiError>).
//
// An ApiError is a name from the protocol's error table ("StateMachineDoesNotExist",
// "ValidationException", ...), AWS's message, and any extra string members AWS sends (such as a
// modelled ValidationException's "reason"). It is plain data: how a name goes on the wire (HTTP
// status, "__type") is the protocol layer's table (api/aws_json/api_error.h). It lives here, not
// in api/, because what fails with it is not only the HTTP layer: ARN parsing (common/arn.h) and
// the in-process Step Functions calls of the integrations answer in the API's own terms.
//
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace stator {

// The name under which a modelled ValidationException (one that carries "reason", thrown by
// the service itself rather than by request validation) is recorded; it renders as
// ValidationException in the service's model namespace.
inline constexpr std::string_view kModelledValidationName = "ValidationException/modelled";

struct ApiError {
  std::string name;     // "StateMachineDoesNotExist", "ValidationException", ...
  std::string message;  // omitted from the body when empty
  std::vector<std::pair<std::string, std::string>> extra;  // further string members

  // The common errors, with AWS's wording.
  static ApiError InvalidArn(std::string_view detail);  // "Invalid Arn: '<detail>'"
  static ApiError InvalidName(std::string_view name);   // "Invalid Name: '<name>'"
  static ApiError InvalidToken();                       // "Invalid Token: 'Invalid token'"
  static ApiError StateMachineDoesNotExist(std::string_view arn);
  static ApiError ResourceNotFound(std::string_view arn);
  static ApiError Serialization(std::string message);
  static ApiError Validation(std::string message);  // request validation (constraints)
  // A modelled ValidationException with its "reason" member.
  static ApiError ValidationWithReason(std::string message, std::string reason);
  static ApiError UnknownOperation();
  static ApiError Internal(std::string message);
};

template <class T>
using ApiResult = Result<T, ApiError>;

// A store failure (I/O, corruption) as the error the client sees.
inline ApiError StoreFailure(const Error& e) {
  return ApiError{"InternalFailure", "Internal error: " + e.cause, {}};
}

}  // namespace stator

// API_RETURN_IF_ERROR(expr): returns the ApiError held by an std::optional<ApiError>.
#define API_RETURN_IF_ERROR(expr)                        \
  do {                                                   \
    std::optional<::stator::ApiError> api_err_ = (expr); \
    if (api_err_) return std::move(*api_err_);           \
  } while (0)
