// SendTaskHeartbeat: the task a token names is still being worked on: its HeartbeatSeconds
// timer starts again. Token errors as TaskCallbacks describes.
#include "api/routes/states/operations.h"
#include "api/routes/states/send_task_common.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef SendTaskHeartbeatInput() {
  static const ShapeRef shape = Struct({{"taskToken", TaskTokenShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> SendTaskHeartbeat(StatesService& service, const json::Value& input) {
  STATOR_TRY(TaskCallbacks * callbacks, CallbacksOf(service));
  API_RETURN_IF_ERROR(callbacks->Heartbeat(*StringMember(input, "taskToken")));
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
