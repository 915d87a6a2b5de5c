// Input and output processing helpers for the executor: InputPath / OutputPath / ResultPath
// semantics over compiled paths, the Runtime error texts AWS uses for them, and payload size
// measurement for States.DataLimitExceeded.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "asl/context.h"
#include "asl/path.h"
#include "asl/state_machine.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::engine {

// The payload size quota (256 KiB of UTF-8 JSON text).
inline constexpr size_t kMaxPayloadBytes = 256 * 1024;
// KNIX workflows (the KNIX dialect) have no such quota of their own: their payloads are bounded
// by what a function invocation takes (6 MiB, Lambda's synchronous invocation payload limit).
inline constexpr size_t kKnixMaxPayloadBytes = 6 * 1024 * 1024;
// Workflow variable quotas (JSON text): the values one Assign sets, together; and every variable
// an execution's scope can see (its own and its outer scopes'), together.
inline constexpr size_t kMaxAssignBytes = 256 * 1024;
inline constexpr size_t kMaxVariablesBytes = 10 * 1024 * 1024;

// Evaluates p on input, or on the context object when p is rooted at "$$".
std::optional<json::Value> EvaluatePath(const asl::JsonPath& p, const json::Value& input,
                                        const asl::Context& context);

// InputPath / OutputPath: absent -> v; null -> {}; a path that selects nothing -> States.Runtime
// "Invalid path '<p>' : No results for path: $['a']['b']".
Result<json::Value> ApplyInputOutputPath(const asl::PathField& f, const json::Value& v,
                                         const asl::Context& context);

// ResultPath: absent -> result; null -> raw_input; else result placed into raw_input.
Result<json::Value> ApplyResultPathField(const asl::PathField& f, const json::Value& raw_input,
                                         json::Value result);

// "$.a.b[0]" -> "$['a']['b'][0]" (the form AWS's messages name paths in); other shapes as given.
std::string BracketPath(std::string_view path);

// States.Runtime error for a path that selects nothing.
Error NoResultsForPath(std::string_view path);

// Errors for workflow variables (our wording: no AWS recording shows these): an Assign over
// kMaxAssignBytes or a scope over kMaxVariablesBytes (States.DataLimitExceeded, as for payloads),
// and a Map iteration or Parallel branch setting a variable of an outer scope (States.Runtime).
Error AssignTooLarge(std::string_view state_name);
Error VariablesTooLarge(std::string_view state_name);
Error OuterScopeAssignment(std::string_view variable);

// The integer a *Path field refers to: an integer, or a string holding one (AWS takes "1" for
// MaxConcurrencyPath and ToleratedFailureCountPath), or nullopt.
std::optional<int64_t> IntegerValue(const json::Value& v);
// The same for a number (ToleratedFailurePercentagePath).
std::optional<double> NumberValue(const json::Value& v);

// The size in bytes of v's compact JSON text, counting stops once it exceeds limit (the return
// value is then some number > limit).
size_t JsonSize(const json::Value& v, size_t limit = kMaxPayloadBytes);

// A value as AWS quotes it in messages: strings raw, everything else as compact JSON.
std::string MessageText(const json::Value& v);

}  // namespace stator::engine
