// StopExecution: aborts a running Standard execution (a Wait or a Map in flight ends at once)
// and answers once the ExecutionAborted event is committed. An execution that already ended is
// left as it is.
#include "api/routes/states/execution_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

ShapeRef StopExecutionInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"error", Sensitive(String(0, 256))},    // SensitiveError
      {"cause", Sensitive(String(0, 32768))},  // SensitiveCause
  });
  return shape;
}

void StopExecution(StatesService& service, const json::Value& input, JsonDone done) {
  std::string arn = *StringMember(input, "executionArn");
  auto parsed = ParseExecutionArn(arn);
  if (!parsed.ok()) return done(std::move(parsed).error());
  service.executions().Stop(arn, StringMember(input, "error").value_or(""),
                            StringMember(input, "cause").value_or(""),
                            [done](ApiResult<int64_t> stop_date) {
                              if (!stop_date.ok()) return done(std::move(stop_date).error());
                              done(json::Value::MakeObject({{"stopDate", Timestamp(*stop_date)}}));
                            });
}

}  // namespace stator::api::states
