#include "api/routes/states/execution_common.h"

#include "api/names.h"
#include "api/routes/states/alias_common.h"
#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

ShapeRef ExecutionInputShape() {
  return Sensitive(String(std::nullopt, static_cast<int64_t>(kMaxExecutionInputBytes)));
}
ShapeRef TraceHeaderShape() { return String(0, 256); }
ShapeRef IncludedDataShape() { return Enum({"ALL_DATA", "METADATA_ONLY"}); }

ApiError ExecutionDoesNotExist(const std::string& arn) {
  return ApiError{"ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'", {}};
}

ApiError StateMachineTypeNotSupported() {
  return ApiError{"StateMachineTypeNotSupported",
                  "This operation is not supported by this type of state machine",
                  {}};
}

namespace {

ApiError InvalidExecutionInput(const std::string& detail) {
  return ApiError{
      "InvalidExecutionInput", "Invalid State Machine Execution Input: '" + detail + "'", {}};
}

}  // namespace

ApiResult<Executions::StartRequest> ResolveStart(StatesService& service, const json::Value& input) {
  Executions::StartRequest r;
  std::string arn = *StringMember(input, "stateMachineArn");
  if (size_t hash = arn.find('#'); hash != std::string::npos) {
    r.test_case = arn.substr(hash + 1);
    arn.resize(hash);
  }
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  auto machine = service.store().GetStateMachine(parsed.machine_arn);
  if (!machine.ok()) return StoreFailure(machine.error());
  if (!machine->has_value()) return ApiError::StateMachineDoesNotExist(arn);
  r.machine = std::move(**machine);
  if (parsed.alias) {
    // An alias routes each start to one of its versions, by weight.
    auto alias = LoadAlias(service, arn);
    if (!alias.ok()) {
      if (alias.error().name == "ResourceNotFound") return ApiError::StateMachineDoesNotExist(arn);
      return std::move(alias).error();
    }
    auto chosen = ParseStateMachineArn(ChooseVersion(*alias).version_arn);
    if (!chosen.ok() || !chosen->version) return ApiError::StateMachineDoesNotExist(arn);
    parsed.version = chosen->version;
    r.alias_arn = arn;
  }
  if (parsed.version) {
    auto version = service.store().GetVersion(parsed.machine_arn, *parsed.version);
    if (!version.ok()) return StoreFailure(version.error());
    if (!version->has_value()) return ApiError::StateMachineDoesNotExist(arn);
    r.version = std::move(**version);
  }
  if (auto name = StringMember(input, "name")) {
    if (!IsValidResourceName(*name)) return ApiError::InvalidName(*name);
    r.name = std::move(*name);
  }
  r.input_text = StringMember(input, "input").value_or("{}");
  if (r.input_text.size() > kMaxExecutionInputBytes) {
    return InvalidExecutionInput("The input size exceeds the maximum of " +
                                 std::to_string(kMaxExecutionInputBytes) + " bytes");
  }
  auto parsed_input = json::Parse(r.input_text);
  if (!parsed_input.ok()) return InvalidExecutionInput(parsed_input.error().cause);
  r.input = std::move(parsed_input).value();
  return r;
}

ApiResult<store::Execution> LoadExecution(StatesService& service, const std::string& arn) {
  STATOR_TRY(ExecutionArn parsed, ParseExecutionArn(arn));
  auto got = service.store().GetExecution(arn);
  if (!got.ok()) return StoreFailure(got.error());
  if (!got->has_value()) return ExecutionDoesNotExist(arn);
  return std::move(**got);
}

namespace {

void AddQualifiers(const store::Execution& e, json::Object* out) {
  if (!e.version_arn.empty()) {
    out->emplace_back("stateMachineVersionArn", json::Value::String(e.version_arn));
  }
  if (!e.alias_arn.empty()) {
    out->emplace_back("stateMachineAliasArn", json::Value::String(e.alias_arn));
  }
}

}  // namespace

ApiResult<RedriveInfo> LoadRedriveInfo(StatesService& service, const std::string& execution_arn) {
  RedriveInfo info;
  auto got = service.store().GetRecord(kRedriveRecordKind, execution_arn);
  if (!got.ok()) return StoreFailure(got.error());
  if (!got->has_value()) return info;
  auto v = json::Parse(**got);
  if (!v.ok() || !v->is_object()) return info;
  info.count = IntMember(*v, "redriveCount").value_or(0);
  info.date_ms = IntMember(*v, "redriveDate").value_or(0);
  if (const json::Value* tokens = Member(*v, "clientTokens"); tokens && tokens->is_array()) {
    for (const json::Value& t : tokens->as_array()) {
      info.tokens.emplace_back(StringMember(t, "token").value_or(""),
                               IntMember(t, "date").value_or(0));
    }
  }
  return info;
}

Status SaveRedriveInfo(StatesService& service, const std::string& execution_arn,
                       const RedriveInfo& info) {
  json::Array tokens;
  for (const auto& [token, date] : info.tokens) {
    tokens.push_back(json::Value::MakeObject(
        {{"token", json::Value::String(token)}, {"date", json::Value::Int(date)}}));
  }
  return service.store().WriteRecords({store::RecordWrite::Put(
      kRedriveRecordKind, execution_arn,
      json::Value::MakeObject({{"redriveCount", json::Value::Int(info.count)},
                               {"redriveDate", json::Value::Int(info.date_ms)},
                               {"clientTokens", json::Value::MakeArray(std::move(tokens))}})
          .Dump())});
}

namespace {

constexpr int64_t kDayMillis = 24LL * 60 * 60 * 1000;
// AWS: a redriven execution appends to its history, which must stay below 25,000 events with
// room for ExecutionRedriven and one more.
constexpr int64_t kMaxRedrivableEvents = 24999;

}  // namespace

ApiResult<std::optional<std::string>> NotRedrivableReason(StatesService& service,
                                                          const store::Execution& e) {
  using Reason = std::optional<std::string>;
  if (e.status == store::ExecutionStatus::kRunning ||
      e.status == store::ExecutionStatus::kSucceeded) {
    return Reason(std::string("Execution is ") + store::ExecutionStatusName(e.status) +
                  " and cannot be redriven");
  }
  const int64_t now = service.NowMillis();
  if (now - e.start_date_ms > 365 * kDayMillis) {
    return Reason("Execution has exceeded the max execution time");
  }
  if (now - e.stop_date_ms > 14 * kDayMillis) return Reason("Execution redrivable period exceeded");
  auto machine = service.store().GetStateMachine(e.state_machine_arn);
  if (!machine.ok()) return StoreFailure(machine.error());
  if (!machine->has_value()) return Reason("State machine is in DELETING status");
  auto last = service.store().ReadHistory(e.arn, "", 1, /*reverse=*/true);
  if (!last.ok()) return StoreFailure(last.error());
  if (!last->items.empty() && last->items.front().id >= kMaxRedrivableEvents) {
    return Reason("Execution history event limit exceeded");
  }
  return Reason();
}

json::Value DescribeExecutionJson(const store::Execution& e, bool include_data,
                                  const RedriveInfo& redrive,
                                  const std::optional<std::string>& not_redrivable) {
  const bool running = e.status == store::ExecutionStatus::kRunning;
  json::Object out;
  out.emplace_back("executionArn", json::Value::String(e.arn));
  out.emplace_back("stateMachineArn", json::Value::String(e.state_machine_arn));
  out.emplace_back("name", json::Value::String(e.name));
  out.emplace_back("status", json::Value::String(store::ExecutionStatusName(e.status)));
  out.emplace_back("startDate", Timestamp(e.start_date_ms));
  if (!running) out.emplace_back("stopDate", Timestamp(e.stop_date_ms));
  if (include_data) {
    out.emplace_back("input", json::Value::String(e.input));
    out.emplace_back("inputDetails",
                     json::Value::MakeObject({{"included", json::Value::Bool(true)}}));
    if (e.output) {
      out.emplace_back("output", json::Value::String(*e.output));
      out.emplace_back("outputDetails",
                       json::Value::MakeObject({{"included", json::Value::Bool(true)}}));
    }
  }
  if (e.error) out.emplace_back("error", json::Value::String(*e.error));
  if (e.cause) out.emplace_back("cause", json::Value::String(*e.cause));
  AddQualifiers(e, &out);
  out.emplace_back("redriveCount", json::Value::Int(redrive.count));
  if (redrive.count > 0) out.emplace_back("redriveDate", Timestamp(redrive.date_ms));
  out.emplace_back("redriveStatus",
                   json::Value::String(not_redrivable ? "NOT_REDRIVABLE" : "REDRIVABLE"));
  if (not_redrivable) out.emplace_back("redriveStatusReason", json::Value::String(*not_redrivable));
  return json::Value::MakeObject(std::move(out));
}

json::Value ExecutionListItemJson(const store::Execution& e, const RedriveInfo& redrive) {
  json::Object out;
  out.emplace_back("executionArn", json::Value::String(e.arn));
  out.emplace_back("stateMachineArn", json::Value::String(e.state_machine_arn));
  out.emplace_back("name", json::Value::String(e.name));
  out.emplace_back("status", json::Value::String(store::ExecutionStatusName(e.status)));
  out.emplace_back("startDate", Timestamp(e.start_date_ms));
  if (e.status != store::ExecutionStatus::kRunning) {
    out.emplace_back("stopDate", Timestamp(e.stop_date_ms));
  }
  AddQualifiers(e, &out);
  out.emplace_back("redriveCount", json::Value::Int(redrive.count));
  if (redrive.count > 0) out.emplace_back("redriveDate", Timestamp(redrive.date_ms));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
