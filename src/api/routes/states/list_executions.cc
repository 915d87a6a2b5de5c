// ListExecutions: a state machine's (or one version's, or one alias's) Standard executions,
// newest first, optionally only those with one status or redrive filter; maxResults per page (0 or
// absent: 100), with an opaque nextToken bound to the listing it came from.
#include "api/page_token.h"
#include "api/routes/states/alias_common.h"
#include "api/routes/states/execution_common.h"
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef ListExecutionsInput() {
  // The enum order is the one AWS prints in its validation message.
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape()},
      {"statusFilter",
       Enum({"SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"})},
      {"maxResults", Integer(0, 1000)},
      {"nextToken", String(1, 3096)},
      {"mapRunArn", String(1, 2000)},
      {"redriveFilter", Enum({"REDRIVEN", "NOT_REDRIVEN"})},
  });
  return shape;
}

ApiResult<json::Value> ListExecutions(StatesService& service, const json::Value& input) {
  std::optional<std::string> arn = StringMember(input, "stateMachineArn");
  std::optional<std::string> map_run = StringMember(input, "mapRunArn");
  store::ExecutionFilter filter;
  StateMachineArn parsed;
  if (!arn && map_run) {
    // A Map Run's Standard child executions, which are stored under its ARN.
    STATOR_TRY(MapRunInfo info, LoadMapRun(service, *map_run));
    filter.state_machine_arn = info.map_run_arn;
    arn = map_run;
  } else if (!arn) {
    return ApiError::ValidationWithReason("Must provide a StateMachine ARN or MapRun ARN",
                                          "MISSING_REQUIRED_PARAMETER");
  } else {
    STATOR_TRY(parsed, ParseStateMachineArn(*arn));
    auto machine = service.store().GetStateMachine(parsed.machine_arn);
    if (!machine.ok()) return StoreFailure(machine.error());
    if (!machine->has_value()) return ApiError::StateMachineDoesNotExist(*arn);
    if ((*machine)->type == store::StateMachineType::kExpress) {
      return StateMachineTypeNotSupported();
    }
    filter.state_machine_arn = parsed.machine_arn;
    map_run.reset();
  }
  if (parsed.version) {
    auto version = service.store().GetVersion(parsed.machine_arn, *parsed.version);
    if (!version.ok()) return StoreFailure(version.error());
    if (!version->has_value()) return ApiError::StateMachineDoesNotExist(*arn);
    filter.version_arn = *arn;
  }
  if (parsed.alias) {
    // The executions started through this alias (while it exists).
    auto alias = service.store().GetRecord(kAliasRecordKind, *arn);
    if (!alias.ok()) return StoreFailure(alias.error());
    if (!alias->has_value()) return ApiError::StateMachineDoesNotExist(*arn);
    filter.alias_arn = *arn;
  }
  std::string status = StringMember(input, "statusFilter").value_or("");
  filter.status = store::ParseExecutionStatus(status);
  if (!status.empty() && !filter.status) {  // PENDING_REDRIVE: nothing is redriven yet
    return json::Value::MakeObject({{"executions", json::Value::EmptyArray()}});
  }
  // A token is valid only for the listing it came from (same ARN and filter).
  std::string listing = *arn + "\n" + status + "\n";
  if (auto redrive = StringMember(input, "redriveFilter")) listing += "redrive=" + *redrive + "\n";
  std::string after;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListExecutions", *token);
    if (!key || key->compare(0, listing.size(), listing) != 0) return ApiError::InvalidToken();
    after = key->substr(listing.size());
  }
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  int limit = max_results <= 0 ? 100 : static_cast<int>(max_results);
  auto page = service.store().ListExecutions(filter, after, limit);
  if (!page.ok()) return StoreFailure(page.error());
  json::Array items;
  items.reserve(page->items.size());
  // redriveFilter keeps the items of this page that match: a page may hold fewer than
  // maxResults (AWS's maxResults is an upper limit too), never a different continuation.
  const std::string redrive_filter = StringMember(input, "redriveFilter").value_or("");
  for (const store::Execution& e : page->items) {
    STATOR_TRY(RedriveInfo redrive, LoadRedriveInfo(service, e.arn));
    if (redrive_filter == "REDRIVEN" && redrive.count == 0) continue;
    if (redrive_filter == "NOT_REDRIVEN" && redrive.count > 0) continue;
    items.push_back(map_run ? ChildExecutionJson(ExecutionListItemJson(e, redrive), true)
                            : ExecutionListItemJson(e, redrive));
  }
  json::Object out;
  out.emplace_back("executions", json::Value::MakeArray(std::move(items)));
  if (!page->next.empty()) {
    out.emplace_back("nextToken",
                     json::Value::String(EncodePageToken("ListExecutions", listing + page->next)));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
