// Mocked-result validation for TestState (mock.fieldValidationMode): a mocked Task result is
// checked against the output shape of the API call the Task's Resource names, as AWS checks it
// against its API models. The shapes come from botocore's service models through a generated
// table (test_state_shapes.inc, made by scripts/gen_mock_shapes.py), parsed once on first use.
//
// Which call a Resource names:
//   arn:<partition>:states:::<service>:<action>[.sync|.waitForTaskToken]  an optimized
//       integration (service by its endpoint prefix: "lambda", "dynamodb", "events", ...)
//   arn:<partition>:states:::aws-sdk:<service>:<action>[...]  an SDK integration (service by its
//       SDK id: "kms", "eventbridge", "sfn", ...)
// the action with its first letter upper-cased is the API operation ("putItem" -> PutItem).
// .sync and .waitForTaskToken results are not the call's output (a job's description, a
// callback's payload) and are not validated; neither are Lambda function ARNs, activities, HTTP
// Tasks, and services or operations the table does not hold.
//
// Rules. The shape is walked member by member in the model's order and the first problem is the
// answer, "Mock result schema validation error: " + one of (AWS's texts, as recorded):
//   Required field '<name>' is missing                          (STRICT only)
//   Field '<name>' must be a string | a number | a boolean | an object | an array
//   Field '<name>' is smaller than the minimum length | exceeds the maximum length
//   Field '<name>' is less than the minimum value | exceeds the maximum value
//   Field '<name>' is not an expected value                     (an enum)
// ("exceeds the maximum length" is ours, by analogy: no recording shows it.) Strings and
// timestamps must be JSON strings, every number type a JSON number, blobs strings (Lambda's
// Payload included: AWS checks it against the model's blob). Member names are PascalCase, as the
// integrations write them (the model's StartExecution output has startDate; the
// states:startExecution integration's result StartDate): a camelCase name is an unknown member.
// Members the shape does not know are allowed (the integrations add SdkHttpMetadata and the like).
//
// Thread-safety: thread-safe (the table is built once, under a static initializer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace stator::engine {

enum class MockValidationMode { kStrict, kPresent, kNone };

// The message of the first problem of `result` against the output shape of `resource`, or
// nullopt when it conforms (or the resource's output shape is not known, or mode is kNone).
std::optional<std::string> ValidateMockResult(std::string_view resource, const json::Value& result,
                                              MockValidationMode mode);

// Whether the table knows the output shape of `resource` (tests, docs).
bool HasMockShape(std::string_view resource);

}  // namespace stator::engine
