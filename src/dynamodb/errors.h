// The errors of the DynamoDB API by name, as the layer's code builds them: Error{name, message}
// with DynamoDB's message text. (The HTTP adapter gives each name its status and __type.)
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>

#include "common/result.h"

namespace stator::dynamodb {

inline Error Validation(std::string message) {
  return Error{"ValidationException", std::move(message)};
}
inline Error Serialization(std::string message) {
  return Error{"SerializationException", std::move(message)};
}

}  // namespace stator::dynamodb
