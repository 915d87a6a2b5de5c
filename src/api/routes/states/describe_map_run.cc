// DescribeMapRun: a distributed Map's Map Run — its status, limits (as UpdateMapRun left them)
// and the counts of its items and child executions.
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeMapRunInput() {
  static const ShapeRef shape = Struct({{"mapRunArn", String(1, 2000), kRequired}});
  return shape;
}

ApiResult<json::Value> DescribeMapRun(StatesService& service, const json::Value& input) {
  STATOR_TRY(MapRunInfo info, LoadMapRun(service, *StringMember(input, "mapRunArn")));
  return DescribeMapRunJson(info);
}

}  // namespace stator::api::states
