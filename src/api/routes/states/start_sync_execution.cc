// StartSyncExecution: runs an Express execution and answers when it ends, with its output (or
// error and cause) and billing details. Clients send it to the "sync-" host prefix, which the
// server accepts like any Host.
#include <algorithm>

#include "api/routes/states/execution_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef StartSyncExecutionInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"name", NameShape()},
      {"input", ExecutionInputShape()},
      {"traceHeader", TraceHeaderShape()},
      {"includedData", IncludedDataShape()},
  });
  return shape;
}

namespace {

json::Value SyncJson(const Executions::SyncOutcome& o, const Executions::StartRequest& r,
                     bool include_data) {
  json::Object out;
  out.emplace_back("executionArn", json::Value::String(o.execution_arn));
  out.emplace_back("stateMachineArn", json::Value::String(r.machine.arn));
  out.emplace_back("name", json::Value::String(o.name));
  out.emplace_back("startDate", Timestamp(o.start_date_ms));
  out.emplace_back("stopDate", Timestamp(o.stop_date_ms));
  out.emplace_back("status", json::Value::String(store::ExecutionStatusName(o.status)));
  if (o.error) out.emplace_back("error", json::Value::String(*o.error));
  if (o.cause) out.emplace_back("cause", json::Value::String(*o.cause));
  json::Value included = json::Value::MakeObject({{"included", json::Value::Bool(include_data)}});
  if (include_data) out.emplace_back("input", json::Value::String(r.input_text));
  out.emplace_back("inputDetails", included);
  if (include_data && o.output) out.emplace_back("output", json::Value::String(o.output->Dump()));
  out.emplace_back("outputDetails", included);
  // Express executions are billed per 100 ms (at least 100) and for 64 MB of memory.
  const int64_t duration = std::max<int64_t>(0, o.stop_date_ms - o.start_date_ms);
  const int64_t billed = std::max<int64_t>(100, (duration + 99) / 100 * 100);
  out.emplace_back("billingDetails", json::Value::MakeObject({
                                         {"billedMemoryUsedInMB", json::Value::Int(64)},
                                         {"billedDurationInMilliseconds", json::Value::Int(billed)},
                                     }));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace

void StartSyncExecution(StatesService& service, const json::Value& input, JsonDone done) {
  auto request = ResolveStart(service, input);
  if (!request.ok()) return done(std::move(request).error());
  if (request->machine.type != store::StateMachineType::kExpress) {
    return done(StateMachineTypeNotSupported());
  }
  const bool include_data = StringMember(input, "includedData").value_or("") != "METADATA_ONLY";
  // The request's input and machine ARN are needed for the answer; keep a copy of the small
  // parts only.
  auto answer_for = std::make_shared<Executions::StartRequest>();
  answer_for->machine.arn = request->machine.arn;
  answer_for->input_text = request->input_text;
  service.executions().StartSync(
      std::move(request).value(),
      [done, answer_for, include_data](ApiResult<Executions::SyncOutcome> outcome) {
        if (!outcome.ok()) return done(std::move(outcome).error());
        done(SyncJson(*outcome, *answer_for, include_data));
      });
}

}  // namespace stator::api::states
