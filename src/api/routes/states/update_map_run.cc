// UpdateMapRun: a running Map Run's MaxConcurrency and tolerated failures; the new limits apply
// to the child executions that start or fail from then on.
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef UpdateMapRunInput() {
  // toleratedFailurePercentage (a Float 0..100) is checked below: shapes have no floats.
  static const ShapeRef shape = Struct({
      {"mapRunArn", String(1, 2000), kRequired},
      {"maxConcurrency", Integer(0, std::nullopt)},
      {"toleratedFailureCount", Integer(0, std::nullopt)},
  });
  return shape;
}

ApiResult<json::Value> UpdateMapRun(StatesService& service, const json::Value& input) {
  const std::string arn = *StringMember(input, "mapRunArn");
  std::optional<double> percent;
  if (const json::Value* p = Member(input, "toleratedFailurePercentage")) {
    if (!p->is_number()) {
      return ApiError::Serialization(std::string(p->is_string() ? "STRING_VALUE" : "Value") +
                                     " cannot be converted to Float");
    }
    const double v = p->as_double();
    if (v < 0 || v > 100) {
      return ApiError::Validation(
          "1 validation error detected: Value '" + json::Value::Double(v).Dump() +
          "' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have "
          "value " +
          (v < 0 ? "greater than or equal to 0" : "less than or equal to 100"));
    }
    percent = v;
  }
  STATOR_TRY(MapRunInfo info, LoadMapRun(service, arn));
  auto updated = service.map_runs()->Update(info.map_run_arn, IntMember(input, "maxConcurrency"),
                                            IntMember(input, "toleratedFailureCount"), percent);
  if (!updated.ok()) return std::move(updated).error();
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
