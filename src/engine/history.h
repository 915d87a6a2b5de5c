// Builders for the "<kind>EventDetails" objects of history events, in the shape
// GetExecutionHistory shows them.
//
// Payload fields ("input", "output", "parameters", and each assigned variable) are kept as
// json::Value here; they become JSON text only when an event is rendered (HistoryEvent::ToJson),
// so recording an event never serializes a payload. Fields whose value is empty are left out, as
// AWS leaves them out (ExecutionFailed from a Fail state without Error/Cause has empty details).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/json.h"
#include "engine/task_resource.h"

namespace stator::engine::history {

// True for the detail fields that hold a payload rendered as JSON text.
bool IsPayloadField(std::string_view key);
// True for the detail fields whose members each hold a value rendered as JSON text
// ("assignedVariables": {"x": "42", "s": "\"text\""}).
bool IsVariablesField(std::string_view key);

json::Value ExecutionStarted(const json::Value& input, const std::string& role_arn);
json::Value StateEntered(const json::Value& name, const json::Value& input);
json::Value StateExited(const json::Value& name, const json::Value& output);
// With the workflow variables the state set: {"name": value, ...}.
json::Value StateExited(const json::Value& name, const json::Value& output,
                        const json::Value& assigned_variables);
json::Value Output(const json::Value& output);  // {output, outputDetails}
json::Value ErrorCause(const std::string& error, const std::string& cause);
json::Value MapStateStarted(int64_t length);
json::Value MapRunStarted(const std::string& map_run_arn);

json::Value TaskScheduled(const TaskResource& r, const std::string& region,
                          const json::Value& parameters, std::optional<int64_t> timeout_seconds,
                          std::optional<int64_t> heartbeat_seconds);
json::Value TaskStarted(const TaskResource& r);
json::Value TaskSucceeded(const TaskResource& r, const json::Value& output);  // also Submitted
json::Value TaskError(const TaskResource& r, const std::string& error, const std::string& cause);

json::Value LambdaScheduled(const std::string& arn, const json::Value& input,
                            std::optional<int64_t> timeout_seconds);
json::Value ActivityScheduled(const std::string& arn, const json::Value& input,
                              std::optional<int64_t> timeout_seconds,
                              std::optional<int64_t> heartbeat_seconds);

}  // namespace stator::engine::history
