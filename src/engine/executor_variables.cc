// Execution: workflow variables (Assign): evaluated as a state runs, committed as it exits.

#include <algorithm>
#include <utility>

#include "engine/executor_internal.h"
#include "engine/payload_io.h"

namespace stator::engine {

Status Execution::EvaluateAssign(Frame& f, const asl::Assignment& assign, const json::Value& input,
                                 const asl::Context& context) {
  Result<json::Value> values = assign.Evaluate(input, context);
  if (!values.ok()) return std::move(values).error();
  f.pending_assign = &assign;
  f.pending_values = std::move(values).value();
  return Status::Ok();
}

bool Execution::CommitVariables(Frame& f, json::Value* assigned) {
  const asl::Assignment& a = *f.pending_assign;
  f.pending_assign = nullptr;
  json::Value values = std::move(f.pending_values);
  const json::Object& members = values.as_object();  // one member per variable, in a's order
  // Sizes first: nothing changes unless every limit holds.
  int64_t assigned_bytes = 0;
  int64_t scope_bytes = f.variables_bytes;
  sizes_scratch_.clear();
  for (size_t i = 0; i < a.size(); ++i) {
    const int64_t n = static_cast<int64_t>(JsonSize(members[i].second, kMaxAssignBytes));
    sizes_scratch_.push_back(n);
    assigned_bytes += n;
    scope_bytes += n;
    for (const ScopeVariable& v : f.variables) {
      if (v.id == a.variable_id(i)) scope_bytes -= v.bytes;
    }
  }
  if (assigned_bytes > static_cast<int64_t>(kMaxAssignBytes)) {
    RaiseRuntime(f, AssignTooLarge(f.state_plan().state->name));
    return false;
  }
  int64_t visible_bytes = scope_bytes;
  for (const Frame* s = f.parent; s != nullptr; s = s->parent) visible_bytes += s->variables_bytes;
  if (visible_bytes > static_cast<int64_t>(kMaxVariablesBytes)) {
    RaiseRuntime(f, VariablesTooLarge(f.state_plan().state->name));
    return false;
  }
  // A Map iteration or Parallel branch may read the variables of the scopes around it, but
  // not set them.
  if (f.parent != nullptr) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (FrameContext::FindVariable(*f.parent, a.variable_id(i)) != nullptr) {
        RaiseRuntime(f, OuterScopeAssignment(a.name(i)));
        return false;
      }
    }
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const uint32_t id = a.variable_id(i);
    auto it = std::find_if(f.variables.begin(), f.variables.end(),
                           [id](const ScopeVariable& v) { return v.id == id; });
    if (it == f.variables.end()) {
      f.variables.push_back(ScopeVariable{id, members[i].second, sizes_scratch_[i]});
    } else {
      it->value = members[i].second;
      it->bytes = sizes_scratch_[i];
    }
  }
  f.variables_bytes = scope_bytes;
  *assigned = std::move(values);
  return true;
}

}  // namespace stator::engine
