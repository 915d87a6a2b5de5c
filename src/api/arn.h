// ARNs of Step Functions resources: building them from the server's partition, region and
// account, and taking client-supplied ones apart with AWS's InvalidArn answers.
//
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name          a state machine
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name:3        one of its versions
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name:Alias    one of its aliases
//   arn:aws:states:us-east-1:123456789012:execution:Name:ExecName    (executions, later)
//   arn:aws:states:us-east-1:123456789012:activity:Name              (activities, later)
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/aws_json/api_error.h"

namespace stator::api {

// The partition, region and account a server answers for.
struct ArnScope {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "123456789012";

  std::string Prefix() const;  // "arn:aws:states:us-east-1:123456789012:"
  std::string StateMachine(std::string_view name) const;
};

// The parts of any ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with the resource
// split at ':' (resource[0] is the resource type for Step Functions ARNs).
struct Arn {
  std::string text;
  std::string partition, service, region, account;
  std::vector<std::string> resource;
};

// Splits an ARN; InvalidArn "Invalid ARN prefix: <text>" when it is not one.
ApiResult<Arn> ParseArn(std::string_view text);

// A state machine ARN, optionally qualified by a version number or an alias name.
struct StateMachineArn {
  std::string machine_arn;  // unqualified
  std::string name;
  std::optional<int64_t> version;
  std::optional<std::string> alias;
  bool qualified() const { return version || alias; }
};

// Parses a Step Functions ARN that must name a state machine (or a version or alias of one).
// Other Step Functions resources: InvalidArn "Resource type not valid in this context: <type>".
ApiResult<StateMachineArn> ParseStateMachineArn(std::string_view text);

// Parses an IAM role ARN loosely (any well-formed ARN); InvalidArn otherwise.
std::optional<ApiError> CheckRoleArn(std::string_view text);

}  // namespace stator::api
