// RedriveExecution: a Standard execution that failed, timed out or was aborted runs again from
// the top-level state that did not complete (what completed before is not run again), on the
// same ARN, input and state machine, its history continuing after an ExecutionRedriven event.
// Refused with ExecutionNotRedrivable and AWS's reason (NotRedrivableReason) otherwise. A
// clientToken of one of the last 10 redrives (within 15 minutes) answers that redrive again.
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

namespace {

// How long, and for how many redrives, a client token answers again (AWS: the last 10 client
// tokens, for 15 minutes).
constexpr int64_t kTokenMillis = 15 * 60 * 1000;
constexpr size_t kTokens = 10;

}  // namespace

void RedriveExecution(StatesService& service, const json::Value& input, JsonDone done) {
  auto e = LoadExecution(service, *StringMember(input, "executionArn"));
  if (!e.ok()) return done(std::move(e).error());
  const std::string token = StringMember(input, "clientToken").value_or("");
  auto before = LoadRedriveInfo(service, e->arn);
  if (!before.ok()) return done(std::move(before).error());
  if (!token.empty()) {
    // A repeat of a redrive that went through (an SDK retrying it): the same answer.
    for (const auto& [t, date] : before->tokens) {
      if (t == token && service.NowMillis() - date <= kTokenMillis) {
        return done(json::Value::MakeObject({{"redriveDate", Timestamp(date)}}));
      }
    }
  }
  auto reason = NotRedrivableReason(service, *e);
  if (!reason.ok()) return done(std::move(reason).error());
  if (*reason) return done(ApiError{"ExecutionNotRedrivable", **reason, {}});
  const std::string arn = e->arn;
  service.executions().Redrive(arn, [&service, arn, token, tokens = before->tokens,
                                     done](ApiResult<Executions::Redriven> redriven) mutable {
    if (!redriven.ok()) return done(std::move(redriven).error());
    if (!token.empty()) tokens.emplace_back(token, redriven->redrive_date_ms);
    if (tokens.size() > kTokens) tokens.erase(tokens.begin());
    Status saved = SaveRedriveInfo(
        service, arn,
        RedriveInfo{redriven->redrive_count, redriven->redrive_date_ms, std::move(tokens)});
    if (!saved.ok()) return done(StoreFailure(saved.error()));
    done(json::Value::MakeObject({{"redriveDate", Timestamp(redriven->redrive_date_ms)}}));
  });
}

}  // namespace stator::api::states
