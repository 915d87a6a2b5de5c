// TaskResource: what a Task state's "Resource" ARN says about how it runs and how its history
// events look.
//
// Step Functions shows a service integration's resource in Task* history events split in two:
// "arn:aws:states:::lambda:invoke" becomes resourceType "lambda", resource "invoke";
// "arn:aws:states:::states:startExecution.sync:2" becomes "states" / "startExecution.sync:2";
// "arn:aws:states:::aws-sdk:s3:listBuckets" becomes "aws-sdk:s3" / "listBuckets". A Lambda
// function ARN ("arn:aws:lambda:...:function:name") is run directly and produces
// LambdaFunction* events instead; an activity ARN produces Activity* events. A bare function name
// ("my-function", KNIX's way of naming a function in a Resource) is a Lambda function too.
//
// Parsed once per state (the engine caches it in its per-machine plan).
// Thread-safety: plain value.
#pragma once

#include <string>
#include <string_view>

namespace stator::engine {

struct TaskResource {
  enum class Kind : uint8_t { kService, kLambdaFunction, kActivity };
  enum class Pattern : uint8_t { kRequestResponse, kSync, kWaitForTaskToken };

  Kind kind = Kind::kService;
  Pattern pattern = Pattern::kRequestResponse;
  std::string resource_type;  // "lambda", "states", "aws-sdk:s3" (kService only)
  std::string resource;       // "invoke", "startExecution.sync:2"; the full ARN otherwise
  std::string region;         // from the ARN; empty when the ARN has none (arn:aws:states:::)

  // Parses arn. Unknown shapes are treated as a service integration named by the whole ARN.
  static TaskResource Parse(std::string_view arn);
};

}  // namespace stator::engine
