// What the renderer (render.cc) and the built-in methods share during one render (internal to
// vtl/): the render's state, the Java methods of values (methods.cc) and the $util
// helpers (util_*.cc).
//
// Thread-safety: a RenderState belongs to one render on one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtl/value.h"
#include "vtl/vtl.h"

namespace stator::vtl {

struct RenderState {
  Context* ctx = nullptr;
  RenderResult* result = nullptr;
  bool raised = false;  // an error was raised: the render stops

  // Stops the render with this error (what $util.error does).
  void Raise(std::string message, std::optional<std::string> type, json::Value data = {},
             json::Value info = {}) {
    if (raised) return;
    raised = true;
    result->error_message = std::move(message);
    result->error_type = std::move(type);
    result->error_data = std::move(data);
    result->error_info = std::move(info);
  }
};

// What a Java method declared void returns: Velocity renders it as nothing.
inline Value VoidValue() { return Value::String(""); }

// Velocity's truth: null and false are false, everything else (even "" and 0) is true.
inline bool Truthy(const Value& v) { return !v.is_null() && !(v.is_bool() && !v.as_bool()); }

// Calls the Java method `name` on target (a map, list, string, number or boolean). Returns false
// when the value has no such method or the arguments do not fit it (Velocity then treats the
// reference as null).
bool CallValueMethod(const Value& target, std::string_view name, std::vector<Value>& args,
                     Value* out);

// Calls $util.<path>(args) (path "toJson", "dynamodb.toDynamoDBJson", "time.nowISO8601", ...).
// Returns false when there is no such helper. A helper that fails raises an error on st.
bool CallUtil(RenderState& st, std::string_view path, std::vector<Value>& args, Value* out);
// The helpers under $util.dynamodb (util_dynamodb.cc); name without the "dynamodb." prefix.
bool CallDynamoDbUtil(RenderState& st, std::string_view name, std::vector<Value>& args, Value* out);
// The helpers under $util.time (util_time.cc).
bool CallTimeUtil(RenderState& st, std::string_view name, std::vector<Value>& args, Value* out);
// The helpers under $util.str, $util.math, $util.list, $util.map, $util.transform
// (util_collections.cc); path without the "$util." prefix.
bool CallCollectionUtil(RenderState& st, std::string_view path, std::vector<Value>& args,
                        Value* out);

}  // namespace stator::vtl
