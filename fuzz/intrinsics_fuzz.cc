// Fuzzes intrinsic functions: asl::IntrinsicCall::Compile on arbitrary text, then Evaluate
// against a fixed input and context object. An evaluation may fail (that is an ASL error
// value); it must not crash, hang or blow up memory. A failure must name its error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "asl/context.h"
#include "asl/intrinsics.h"
#include "common/json.h"
#include "fuzz/fuzz_check.h"

namespace {

using stator::json::Value;

const Value& Input() {
  static const Value v = *stator::json::Parse(R"({
    "a": 1, "b": -2, "big": 9223372036854775807, "small": -9223372036854775808, "d": 1.5,
    "s": "hello {} world", "e": "", "n": null, "t": true,
    "arr": [1, 2, 2, "x", {"k": true}, [1], null], "nums": [3, 1, 2], "strs": ["a", "b", "a"],
    "obj": {"x": 1, "y": {"z": [1, 2]}}, "obj2": {"y": {"w": 2}, "v": 3},
    "json": "{\"x\":[1,2],\"y\":\"z\"}", "b64": "aGVsbG8gd29ybGQ=", "csv": "a,b,,c"
  })");
  return v;
}

const stator::asl::Context& Ctx() {
  static const stator::asl::FixedContext c(*stator::json::Parse(
      R"({"Execution":{"Id":"arn:aws:states:us-east-1:123456789012:execution:m:e","Name":"e",
          "Input":{"a":1},"StartTime":"2024-01-01T00:00:00.000Z",
          "RoleArn":"arn:aws:iam::123456789012:role/r"},
          "State":{"Name":"S","EnteredTime":"2024-01-01T00:00:00.000Z","RetryCount":0},
          "StateMachine":{"Id":"arn:aws:states:us-east-1:123456789012:stateMachine:m","Name":"m"},
          "Map":{"Item":{"Index":3,"Value":{"k":"v"}}}})"));
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)stator::asl::IntrinsicCall::LooksLikeCall(text);
  stator::Result<stator::asl::IntrinsicCall> call = stator::asl::IntrinsicCall::Compile(text);
  if (!call.ok()) {
    FUZZ_CHECK(!call.error().cause.empty(), "a compile error without a cause");
    return 0;
  }
  (void)call->uses_context();
  stator::Result<Value> v = call->Evaluate(Input(), Ctx());
  if (!v.ok()) {
    FUZZ_CHECK(!v.error().error.empty(), "an evaluation error without a name: %s",
               v.error().cause.c_str());
  }
  return 0;
}
