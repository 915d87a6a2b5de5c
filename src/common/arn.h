// ARNs: any ARN taken apart; the ARNs of Step Functions resources built from a server's
// partition, region and account, and client-supplied ones checked with AWS's InvalidArn
// answers (Step Functions' wording).
//
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name          a state machine
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name:3        one of its versions
//   arn:aws:states:us-east-1:123456789012:stateMachine:Name:Alias    one of its aliases
//   arn:aws:states:us-east-1:123456789012:execution:Name:ExecName    a Standard execution
//   arn:aws:states:us-east-1:123456789012:express:Name:ExecName:Id   an Express execution
//   arn:aws:states:us-east-1:123456789012:activity:Name              (activities, later)
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"

namespace stator {

// The partition, region and account a server answers for.
struct ArnScope {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "123456789012";

  // "arn:<partition>:<service>:<region>:<account>:<resource>"
  std::string Of(std::string_view service, std::string_view resource) const;
  // Step Functions resources.
  std::string StatesPrefix() const;  // "arn:aws:states:us-east-1:123456789012:"
  std::string StateMachine(std::string_view name) const;
  // "<prefix>execution:<state machine>:<name>"
  std::string Execution(std::string_view state_machine, std::string_view name) const;
  // "<prefix>express:<state machine>:<name>:<id>" (Express executions)
  std::string ExpressExecution(std::string_view state_machine, std::string_view name,
                               std::string_view id) const;
};

// The parts of any ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with the resource
// split at ':' (resource[0] is the resource type for Step Functions ARNs).
struct Arn {
  std::string text;
  std::string partition, service, region, account;
  std::vector<std::string> resource;

  // The resource part as written: "function:f:1" (what follows the account's colon).
  std::string_view ResourceText() const;
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

// An execution ARN: arn:PARTITION:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME.
struct ExecutionArn {
  std::string state_machine_arn;  // the unqualified state machine it belongs to
  std::string state_machine_name;
  std::string name;
};

// Parses an ARN that must name a (Standard) execution. Other Step Functions resources, Express
// executions included (they cannot be looked up): InvalidArn "Resource type not valid in this
// context: <type>"; anything else: InvalidArn "Invalid ARN prefix: <text>".
ApiResult<ExecutionArn> ParseExecutionArn(std::string_view text);

// Parses an IAM role ARN loosely (any well-formed ARN); InvalidArn otherwise.
std::optional<ApiError> CheckRoleArn(std::string_view text);

}  // namespace stator
