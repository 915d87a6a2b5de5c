// GetActivityTask: a worker's long poll for the next task of an activity: {"taskToken",
// "input"} as soon as one is scheduled, or {} (no taskToken) when none came within 60 s, as
// AWS answers. ActivityDoesNotExist for an activity that is not stored. The worker's name is
// recorded in the task's ActivityStarted event.
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef GetActivityTaskInput() {
  static const ShapeRef shape = Struct({
      {"activityArn", ArnShape(), kRequired},
      {"workerName", NameShape()},
  });
  return shape;
}

void GetActivityTask(StatesService& service, const json::Value& input, JsonDone done) {
  std::string arn = *StringMember(input, "activityArn");
  if (std::optional<ApiError> e = CheckActivityArn(arn)) return done(std::move(*e));
  auto found = FindActivity(service, arn);
  if (!found.ok()) return done(std::move(found).error());
  if (!found->has_value()) return done(ActivityDoesNotExist(arn));
  TaskCallbacks* callbacks = service.task_callbacks();
  if (callbacks == nullptr) return done(ApiError::Internal("Activities are not served here."));
  callbacks->PollActivity(
      arn, StringMember(input, "workerName").value_or(""),
      [done = std::move(done)](std::optional<TaskCallbacks::ActivityTask> task) {
        if (!task) return done(json::Value::EmptyObject());
        done(json::Value::MakeObject({{"taskToken", json::Value::String(task->task_token)},
                                      {"input", json::Value::String(task->input)}}));
      });
}

}  // namespace stator::api::states
