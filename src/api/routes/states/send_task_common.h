// What SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat share: the taskToken member's
// shape and the callbacks service they answer through.
#pragma once

#include "api/aws_json/api_error.h"
#include "api/aws_json/shape.h"
#include "api/states_service.h"

namespace stator::api::states {

// TaskToken: string 1..2048 (the service model's bound).
inline ShapeRef TaskTokenShape() { return String(1, 2048); }

// The service's TaskCallbacks, or InternalFailure when the server runs none.
inline ApiResult<TaskCallbacks*> CallbacksOf(StatesService& service) {
  if (service.task_callbacks() == nullptr) {
    return ApiError::Internal("Task callbacks are not served here.");
  }
  return service.task_callbacks();
}

}  // namespace stator::api::states
