// The platform calls of a KNIX function's dynamic control flow (MicroFunctionsAPI's
// add_workflow_next / add_dynamic_next / add_dynamic_workflow and send_to_function_now, in the
// runtime's KnixContext), served through the Task's route (engine::TaskRequest::route):
//
//   "wf.next" {"next": STATE, "value": V, "now": false}   V goes to STATE (a PotentialNext state
//                                                         or "end") once the function returned
//   "wf.next" {"next": STATE, "value": V, "now": true}    V goes to STATE (any state, or "end")
//                                                         at once: AllowImmediateMessages
//
// Each answers null, or an Error whose cause is KNIX's MicroFunctionsWorkflowException message
// (the runtime raises that exception with it). A function outside a KNIX workflow's top-level
// states has no route: every call is refused.
//
// Thread-safety: pure functions; the route may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/result.h"
#include "engine/execution.h"

namespace stator::knix {

bool IsFlowCall(std::string_view call);

using Route = decltype(engine::TaskRequest::route);
Result<json::Value> ServeFlowCall(const Route& route, const std::string& call,
                                  const json::Value& args);

}  // namespace stator::knix
