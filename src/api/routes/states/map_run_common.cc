#include "api/routes/states/map_run_common.h"

#include <utility>

#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

namespace {

json::Value CountsJson(const MapRunCounts& c) {
  return json::Value::MakeObject({{"pending", json::Value::Int(c.pending)},
                                  {"running", json::Value::Int(c.running)},
                                  {"succeeded", json::Value::Int(c.succeeded)},
                                  {"failed", json::Value::Int(c.failed)},
                                  {"timedOut", json::Value::Int(c.timed_out)},
                                  {"aborted", json::Value::Int(c.aborted)},
                                  {"total", json::Value::Int(c.total)},
                                  {"resultsWritten", json::Value::Int(c.results_written)},
                                  {"failuresNotRedrivable", json::Value::Int(0)},
                                  {"pendingRedrive", json::Value::Int(0)}});
}

std::optional<ApiError> CheckItemReaderStates(const json::Value& states, const std::string& at) {
  if (!states.is_object()) return std::nullopt;
  for (const auto& [name, state] : states.as_object()) {
    if (!state.is_object()) continue;
    const std::string here = at + "/" + name;
    if (state.Find("ItemReader") != nullptr) {
      return ApiError{"InvalidDefinition",
                      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ItemReader is "
                      "not supported: it reads items from Amazon S3, which stator does not "
                      "emulate; pass the items in the state input (ItemsPath or Items) at " +
                          here + "/ItemReader'",
                      {}};
    }
    if (const json::Value* b = state.Find("Branches"); b != nullptr && b->is_array()) {
      for (size_t i = 0; i < b->as_array().size(); ++i) {
        const json::Value& branch = b->as_array()[i];
        if (const json::Value* s = branch.is_object() ? branch.Find("States") : nullptr) {
          std::string where = here + "/Branches/" + std::to_string(i) + "/States";
          if (auto e = CheckItemReaderStates(*s, where)) return e;
        }
      }
    }
    for (const char* key : {"ItemProcessor", "Iterator"}) {
      const json::Value* p = state.Find(key);
      if (const json::Value* s = p != nullptr && p->is_object() ? p->Find("States") : nullptr) {
        if (auto e = CheckItemReaderStates(*s, here + "/" + key + "/States")) return e;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

json::Value DescribeMapRunJson(const MapRunInfo& info) {
  json::Object out;
  out.emplace_back("mapRunArn", json::Value::String(info.map_run_arn));
  out.emplace_back("executionArn", json::Value::String(info.execution_arn));
  out.emplace_back("status", json::Value::String(info.status));
  out.emplace_back("startDate", Timestamp(info.start_date_ms));
  if (info.status != "RUNNING") out.emplace_back("stopDate", Timestamp(info.stop_date_ms));
  out.emplace_back("maxConcurrency", json::Value::Int(info.max_concurrency));
  out.emplace_back("toleratedFailurePercentage",
                   json::Value::Double(info.tolerated_failure_percentage));
  out.emplace_back("toleratedFailureCount", json::Value::Int(info.tolerated_failure_count));
  out.emplace_back("itemCounts", CountsJson(info.items));
  out.emplace_back("executionCounts", CountsJson(info.executions));
  out.emplace_back("redriveCount", json::Value::Int(0));
  return json::Value::MakeObject(std::move(out));
}

ApiResult<MapRunInfo> LoadMapRun(StatesService& service, const std::string& arn) {
  if (!MapRunMachineName(arn)) {
    return ApiError::InvalidArn("Resource type not valid in this context: " + arn);
  }
  if (service.map_runs() == nullptr) return ApiError::ResourceNotFound(arn);
  auto info = service.map_runs()->Describe(arn);
  if (!info.ok()) return StoreFailure(info.error());
  if (!info->has_value()) return ApiError::ResourceNotFound(arn);
  return std::move(**info);
}

json::Value ChildExecutionJson(json::Value execution, bool add_map_run_arn) {
  const json::Value* machine = execution.is_object() ? execution.Find("stateMachineArn") : nullptr;
  if (machine == nullptr || !machine->is_string()) return execution;
  const std::string map_run = machine->as_string();
  std::optional<std::string> labelled = MapRunStateMachineArn(map_run);
  if (!labelled) return execution;
  json::Object out;
  for (const auto& [key, value] : execution.as_object()) {
    if (key == "stateMachineArn") {
      out.emplace_back(key, json::Value::String(*labelled));
      if (add_map_run_arn) out.emplace_back("mapRunArn", json::Value::String(map_run));
    } else {
      out.emplace_back(key, value);
    }
  }
  return json::Value::MakeObject(std::move(out));
}

std::optional<ApiError> CheckItemReaders(const json::Value& definition) {
  const json::Value* states = definition.is_object() ? definition.Find("States") : nullptr;
  return states != nullptr ? CheckItemReaderStates(*states, "/States") : std::nullopt;
}

}  // namespace stator::api::states
