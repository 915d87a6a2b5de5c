// DescribeExecution: a Standard execution as stored (status, input, output or error and cause,
// the version or alias it was started through, redrive status).
#include "api/routes/states/execution_common.h"
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeExecutionInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"includedData", IncludedDataShape()},
  });
  return shape;
}

ApiResult<json::Value> DescribeExecution(StatesService& service, const json::Value& input) {
  STATOR_TRY(store::Execution e, LoadExecution(service, *StringMember(input, "executionArn")));
  bool include_data = StringMember(input, "includedData").value_or("") != "METADATA_ONLY";
  STATOR_TRY(RedriveInfo redrive, LoadRedriveInfo(service, e.arn));
  STATOR_TRY(std::optional<std::string> not_redrivable, NotRedrivableReason(service, e));
  return ChildExecutionJson(DescribeExecutionJson(e, include_data, redrive, not_redrivable),
                            /*add_map_run_arn=*/true);
}

}  // namespace stator::api::states
