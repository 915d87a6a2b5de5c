// StartExecution: starts a Standard execution (answering once its record is committed; the
// same name and input as a running execution answers with that execution), or an Express one in
// the background.
#include "api/routes/states/execution_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef StartExecutionInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"name", NameShape()},
      {"input", ExecutionInputShape()},
      {"traceHeader", TraceHeaderShape()},
  });
  return shape;
}

namespace {

json::Value StartedJson(const Executions::Started& s) {
  return json::Value::MakeObject({
      {"executionArn", json::Value::String(s.execution_arn)},
      {"startDate", Timestamp(s.start_date_ms)},
  });
}

}  // namespace

void StartExecution(StatesService& service, const json::Value& input, JsonDone done) {
  auto request = ResolveStart(service, input);
  if (!request.ok()) return done(std::move(request).error());
  if (request->machine.type == store::StateMachineType::kExpress) {
    auto started = service.executions().StartExpress(std::move(request).value());
    if (!started.ok()) return done(std::move(started).error());
    return done(StartedJson(*started));
  }
  service.executions().StartStandard(std::move(request).value(),
                                     [done](ApiResult<Executions::Started> started) {
                                       if (!started.ok()) return done(std::move(started).error());
                                       done(StartedJson(*started));
                                     });
}

}  // namespace stator::api::states
