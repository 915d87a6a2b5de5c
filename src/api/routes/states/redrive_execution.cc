// RedriveExecution: a Standard execution that failed, timed out or was aborted runs again from
// the top-level state that did not complete (what completed before is not run again), on the
// same ARN, input and state machine, its history continuing after an ExecutionRedriven event.
// Refused with ExecutionNotRedrivable and AWS's reason (NotRedrivableReason) otherwise.
#include "api/routes/states/execution_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef RedriveExecutionInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"clientToken", String(1, 64)},
  });
  return shape;
}

void RedriveExecution(StatesService& service, const json::Value& input, JsonDone done) {
  auto e = LoadExecution(service, *StringMember(input, "executionArn"));
  if (!e.ok()) return done(std::move(e).error());
  auto reason = NotRedrivableReason(service, *e);
  if (!reason.ok()) return done(std::move(reason).error());
  if (*reason) return done(ApiError{"ExecutionNotRedrivable", **reason, {}});
  const std::string arn = e->arn;
  service.executions().Redrive(
      arn, [&service, arn, done](ApiResult<Executions::Redriven> redriven) {
        if (!redriven.ok()) return done(std::move(redriven).error());
        Status saved = SaveRedriveInfo(
            service, arn, RedriveInfo{redriven->redrive_count, redriven->redrive_date_ms});
        if (!saved.ok()) return done(StoreFailure(saved.error()));
        done(json::Value::MakeObject({{"redriveDate", Timestamp(redriven->redrive_date_ms)}}));
      });
}

}  // namespace stator::api::states
