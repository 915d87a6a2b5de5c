// DescribeStateMachineForExecution: the state machine an execution runs, as it was when the
// execution started (later updates of the machine do not show here).
#include "api/routes/states/execution_common.h"
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeStateMachineForExecutionInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"includedData", IncludedDataShape()},
  });
  return shape;
}

ApiResult<json::Value> DescribeStateMachineForExecution(StatesService& service,
                                                        const json::Value& input) {
  std::string arn = *StringMember(input, "executionArn");
  STATOR_TRY(store::Execution e, LoadExecution(service, arn));
  auto machine = service.store().GetExecutionMachine(arn);
  if (!machine.ok()) return StoreFailure(machine.error());
  if (!machine->has_value()) return ExecutionDoesNotExist(arn);
  const store::ExecutionMachine& m = **machine;
  json::Object out;
  out.emplace_back("stateMachineArn", json::Value::String(e.state_machine_arn));
  out.emplace_back("name", json::Value::String(ParseExecutionArn(arn)->state_machine_name));
  out.emplace_back("definition", json::Value::String(m.config.definition));
  out.emplace_back("roleArn", json::Value::String(m.config.role_arn));
  AddVariableReferences(m.config.definition, &out);
  out.emplace_back("updateDate", Timestamp(m.update_date_ms));
  out.emplace_back("loggingConfiguration", JsonMember(m.config.logging_configuration));
  out.emplace_back("tracingConfiguration", JsonMember(m.config.tracing_configuration));
  if (!m.revision_id.empty()) out.emplace_back("revisionId", json::Value::String(m.revision_id));
  if (!m.config.encryption_configuration.empty()) {
    out.emplace_back("encryptionConfiguration", JsonMember(m.config.encryption_configuration));
  }
  if (auto name = MapRunMachineName(e.state_machine_arn)) {
    // A distributed Map's child: its Map Run and the Map state's label.
    out.emplace_back("mapRunArn", json::Value::String(e.state_machine_arn));
    out.emplace_back("label", json::Value::String(name->substr(name->find('/') + 1)));
  }
  return ChildExecutionJson(json::Value::MakeObject(std::move(out)), false);
}

}  // namespace stator::api::states
