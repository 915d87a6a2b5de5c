// SendTaskFailure: fails the task a token names with `error` and `cause` (both optional), which
// the state's Retry and Catch then see. Token errors as TaskCallbacks describes.
#include "api/routes/states/operations.h"
#include "api/routes/states/send_task_common.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef SendTaskFailureInput() {
  static const ShapeRef shape = Struct({
      {"taskToken", TaskTokenShape(), kRequired},
      {"error", String(0, 256)},
      {"cause", String(0, 32768)},
  });
  return shape;
}

ApiResult<json::Value> SendTaskFailure(StatesService& service, const json::Value& input) {
  STATOR_TRY(TaskCallbacks * callbacks, CallbacksOf(service));
  API_RETURN_IF_ERROR(callbacks->Fail(*StringMember(input, "taskToken"),
                                      StringMember(input, "error").value_or(""),
                                      StringMember(input, "cause").value_or("")));
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
