// SendTaskSuccess: the output of the task a token names (an activity worker's, or a
// .waitForTaskToken callback's). The output must be JSON (InvalidOutput); token errors as
// TaskCallbacks describes (InvalidToken, TaskDoesNotExist, TaskTimedOut).
#include "api/routes/states/operations.h"
#include "api/routes/states/send_task_common.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef SendTaskSuccessInput() {
  static const ShapeRef shape = Struct({
      {"taskToken", TaskTokenShape(), kRequired},
      {"output", String(std::nullopt, 262144), kRequired},
  });
  return shape;
}

ApiResult<json::Value> SendTaskSuccess(StatesService& service, const json::Value& input) {
  STATOR_TRY(TaskCallbacks * callbacks, CallbacksOf(service));
  const std::string token = *StringMember(input, "taskToken");
  auto output = json::Parse(*StringMember(input, "output"));
  if (!output.ok()) {
    return ApiError{"InvalidOutput", "Invalid Output: 'Output is not valid JSON'", {}};
  }
  API_RETURN_IF_ERROR(callbacks->Succeed(token, std::move(output).value()));
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
