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

// The size in bytes of v's compact JSON text, counting stops once it exceeds limit (the return
// value is then some number > limit).
size_t JsonSize(const json::Value& v, size_t limit = kMaxPayloadBytes);

// A value as AWS quotes it in messages: strings raw, everything else as compact JSON.
std::string MessageText(const json::Value& v);

}  // namespace stator::engine
