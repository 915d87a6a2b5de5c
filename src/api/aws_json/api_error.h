// The wire form of an ApiError (common/api_error.h) in the AWS JSON protocol: the one table
// that gives each error name its HTTP status and "__type".
//
// ToBody renders an error as AWS does: HTTP status 400 (or the table's status) and
//   {"__type": "<namespace>#<Name>", "message": "..."[, extra members]}
// The namespace is the one AWS's own service framework reports for that error: modelled Step
// Functions errors come from "com.amazonaws.swf.service.v2.model", request validation from
// "com.amazon.coral.validate", protocol errors from "com.amazon.coral.service".
//
// Thread-safety: pure functions over an immutable table.
#pragma once

#include <string>
#include <string_view>

#include "common/api_error.h"

namespace stator::api {

// The wire form of an error name: HTTP status and "__type".
struct ErrorWireForm {
  int http_status;
  std::string type;  // "<namespace>#<Name>"
};
ErrorWireForm WireFormOf(std::string_view name);

// JSON body of an error answer.
std::string ErrorBody(const ApiError& e);

}  // namespace stator::api
