// Execution: the context object ($$) of a state step, built on first use.

#include <utility>

#include "common/time_format.h"
#include "engine/executor_internal.h"

namespace stator::engine {

using asl::StateType;

const json::Value& Execution::ContextFor(const Frame& frame, const json::Value* item,
                                         int64_t index) {
  Frame& f = const_cast<Frame&>(frame);  // caches the context object in it
  if (item == nullptr && f.context_object) return *f.context_object;
  if (context_execution_.is_null()) {
    context_execution_ = json::Value::MakeObject({
        {"Id", json::Value::String(execution_arn_)},
        {"Input", options_.input},
        {"StartTime", json::Value::String(FormatTimestamp(start_millis_))},
        {"Name", json::Value::String(name_)},
        {"RoleArn", json::Value::String(role_arn_)},
        {"RedriveCount", json::Value::Int(static_cast<int64_t>(next_redrive_))},
    });
    context_state_machine_ = json::Value::MakeObject({
        {"Id", json::Value::String(state_machine_arn_)},
        {"Name", json::Value::String(options_.state_machine_name)},
    });
  }
  const StateType t = f.current_state().type;
  json::Object state;
  state.emplace_back("Name", f.state_plan().name);
  state.emplace_back("EnteredTime", json::Value::String(FormatTimestamp(f.entered_millis)));
  if (t == StateType::kTask || t == StateType::kParallel || t == StateType::kMap) {
    state.emplace_back("RetryCount", json::Value::Int(f.retry_count));
  }
  json::Object o;
  o.emplace_back("Execution", context_execution_);
  o.emplace_back("StateMachine", context_state_machine_);
  o.emplace_back("State", json::Value::MakeObject(std::move(state)));
  if (item != nullptr) {
    o.emplace_back("Map", json::Value::MakeObject({{"Item", json::Value::MakeObject({
                                                                {"Index", json::Value::Int(index)},
                                                                {"Value", *item},
                                                            })}}));
  }
  if (!f.task_token.empty()) {
    o.emplace_back("Task", json::Value::MakeObject({{"Token", json::Value::String(f.task_token)}}));
  }
  json::Value v = json::Value::MakeObject(std::move(o));
  if (item != nullptr) {
    // A per-item context (Map ItemSelector): FrameContext copies it right away.
    scratch_context_ = std::move(v);
    return scratch_context_;
  }
  f.context_object = std::move(v);
  return *f.context_object;
}

}  // namespace stator::engine
