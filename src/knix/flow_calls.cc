#include "knix/flow_calls.h"

namespace stator::knix {

bool IsFlowCall(std::string_view call) { return call.starts_with("wf."); }

Result<json::Value> ServeFlowCall(const Route& route, const std::string& call,
                                  const json::Value& args) {
  if (call != "wf.next") {
    return Error{"InvalidParameterValueException", "unknown platform call " + call};
  }
  const json::Value* next = args.is_object() ? args.Find("next") : nullptr;
  const json::Value* value = args.is_object() ? args.Find("value") : nullptr;
  const json::Value* now = args.is_object() ? args.Find("now") : nullptr;
  if (next == nullptr || !next->is_string() || value == nullptr || now == nullptr ||
      !now->is_bool()) {
    return Error{"InvalidParameterValueException", "wf.next takes {next, value, now}"};
  }
  if (!route) {
    return Error{"MicroFunctionsWorkflowException",
                 "\nWorkflow does not match generated 'next': " + next->as_string()};
  }
  STATOR_RETURN_IF_ERROR(
      route(next->as_string(), *value,
            now->as_bool() ? engine::KnixRoute::kNow : engine::KnixRoute::kAtEnd));
  return json::Value::Null();
}

}  // namespace stator::knix
