// ApiError: an error answer of the AWS JSON protocol, and the one table that gives each error
// name its wire form.
//
// Routes and the protocol layer fail with an ApiError (a name from the table below, AWS's
// message, and any extra members AWS sends such as ValidationException's "reason"). ToBody
// renders it as AWS does: HTTP status 400 (or the table's status) and
//   {"__type": "<namespace>#<Name>", "message": "..."[, extra members]}
// The namespace is the one AWS's own service framework reports for that error: modelled Step
// Functions errors come from "com.amazonaws.swf.service.v2.model", request validation from
// "com.amazon.coral.validate", protocol errors from "com.amazon.coral.service".
//
// Thread-safety: plain values; the table is immutable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace stator::api {

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

// The wire form of an error name: HTTP status and "__type".
struct ErrorWireForm {
  int http_status;
  std::string type;  // "<namespace>#<Name>"
};
ErrorWireForm WireFormOf(std::string_view name);

// JSON body of an error answer.
std::string ErrorBody(const ApiError& e);

// A T or an ApiError: what routes and their helpers return (Result<T> with ApiError).
template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const ApiError& error() const& { return std::get<1>(v_); }
  ApiError&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, ApiError> v_;
};

// A store failure (I/O, corruption) as the error the client sees.
inline ApiError StoreFailure(const Error& e) {
  return ApiError{"InternalFailure", "Internal error: " + e.cause, {}};
}

}  // namespace stator::api

// API_TRY(decl, expr): declares decl from an ApiResult or returns its ApiError.
#define API_TRY(decl, expr)                                      \
  auto STATOR_CONCAT(api_try_, __LINE__) = (expr);               \
  if (!STATOR_CONCAT(api_try_, __LINE__).ok())                   \
    return std::move(STATOR_CONCAT(api_try_, __LINE__)).error(); \
  decl = std::move(STATOR_CONCAT(api_try_, __LINE__)).value()
// API_RETURN_IF_ERROR(expr): returns the ApiError held by an std::optional<ApiError>.
#define API_RETURN_IF_ERROR(expr)                             \
  do {                                                        \
    std::optional<::stator::api::ApiError> api_err_ = (expr); \
    if (api_err_) return std::move(*api_err_);                \
  } while (0)

namespace stator::api {}  // namespace stator::api
